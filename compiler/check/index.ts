/**
 * The checker's public surface: load `.nvp` files with their imports and check them into a
 * PolicyModel (compiler/pipeline.ts runs both as stages). Other phases import from here.
 */
export { checkPolicy, type CheckOptions, type CheckResult } from "./check.js";
export { CHECK_CODES } from "../../common/codes/check.js";
export type { CodeInfo } from "../../common/codes/code-info.js";
export { loadPolicy, nodeFs, type LoadFs, type LoadOptions, type LoadResult } from "./load.js";
export { SETTINGS, duration, findSetting, integer, oneOf, type SettingSpec } from "./settings-table.js";
export { defaultStdlibDir, isStdPath } from "./import-path.js";
