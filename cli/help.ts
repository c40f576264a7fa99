/**
 * Help text layout for every command: descriptions are written as paragraphs (line breaks in the
 * source are only for the source's width) and wrapped once, at the terminal's width; indented lines
 * (example commands) are never wrapped, so they stay copyable; and an empty list default is not
 * shown as "(default: [])".
 */
import { Help, type HelpConfiguration, type Option } from "commander";

/** Lines that start a paragraph of their own: headings (`Examples:`) and the exit-code list. */
function startsParagraph(line: string): boolean {
  return /^(Exit|Examples?|Example commands?):/.test(line);
}

/** Join each paragraph's source lines, keep indented and empty lines as they are. */
export function paragraphs(text: string): string[] {
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    // The exit codes start a line of their own, wherever the source sentence broke.
    if (para.length) out.push(...para.join(" ").split(/ (?=Exit: )/));
    para = [];
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^\s/.test(line)) {
      flush();
      out.push(line);
    } else if (/^[A-Z][a-z ]*:$/.test(line)) {
      flush();
      out.push(line);
    } else {
      if (startsParagraph(line)) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out;
}

const plain = new Help();

export const helpConfig: HelpConfiguration = {
  boxWrap(str: string, width: number): string {
    return paragraphs(str)
      .map((p) => (/^\s/.test(p) ? p : plain.boxWrap(p, width)))
      .join("\n");
  },
  optionDescription(option: Option): string {
    const text = plain.optionDescription(option);
    return Array.isArray(option.defaultValue) && option.defaultValue.length === 0 ? text.replace(/ \(default: \[\]\)/, "") : text;
  },
};
