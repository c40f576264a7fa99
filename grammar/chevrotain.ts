/**
 * The values nvp takes from chevrotain, in one module. `npm run build` replaces this module's
 * compiled form, dist/grammar/chevrotain.js, with one file bundling the same exports and only the
 * chevrotain and lodash-es code they reach (scripts/bundle-grammar.mjs): chevrotain 11 imports
 * lodash-es as some 650 modules, which cost every `nvp` command that parses half a second of
 * start-up on Node 20 (chevrotain 12, which drops lodash-es, needs Node 22). Tests run this source
 * as it is, against the package.
 */
export { createToken, createTokenInstance, CstParser, EOF, Lexer } from "chevrotain";
