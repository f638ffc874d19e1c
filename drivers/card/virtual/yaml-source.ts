import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from '../../../src/errors';

/**
 * A YAML card file read with line numbers kept, so that every complaint about a trace or a
 * profile names the file, the line and the step or field it is about.
 */
export class YamlSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(text: string, readonly name: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false });
    const first = this.doc.errors[0];
    if (first !== undefined) {
      const line = first.linePos?.[0].line ?? this.lineAt(first.pos[0]);
      throw this.error(`YAML syntax: ${first.message.split('\n')[0]}`, line);
    }
  }

  static fromFile(path: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new ConfigError('CONFIG_INVALID', `Cannot read card file ${path}`, {
        cause, detail: { file: path },
      });
    }
    return new YamlSource(text, path);
  }

  /** 1-based line where a node starts; undefined for nodes made up by the parser. */
  lineOf(node: Node | null | undefined): number | undefined {
    return node?.range ? this.lineAt(node.range[0]) : undefined;
  }

  error(message: string, line: number | undefined, detail: Record<string, unknown> = {}) {
    const where = line === undefined ? this.name : `${this.name}:${line}`;
    return new ConfigError('CONFIG_INVALID', `${where}: ${message}`, {
      detail: { file: this.name, line, ...detail },
    });
  }

  private lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }
}

/**
 * Hex as the card files write it: pairs of digits, spaces allowed anywhere between them.
 * Returns undefined when the text is not that, so the caller can say which field is wrong.
 */
export function parseHexText(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^([0-9A-Fa-f]{2})*$/.test(compact)) return undefined;
  return Buffer.from(compact, 'hex');
}
