// Types for the parts of the npm package iso_8583 (a dev dependency, plain JavaScript) that
// the cross-check test and scripts/bench-iso8583.ts use.
declare module 'iso_8583' {
  export interface Iso8583Format {
    ContentType: string;
    Label: string;
    LenType: string;
    MaxLen: number;
    MinLen?: number;
  }
  export interface Iso8583UnpackConfig {
    lenHeader?: boolean;
    bitmapEncoding?: 'utf8' | 'hex';
  }
  export default class Iso8583 {
    constructor(message?: Record<string, string>, customFormats?: Record<string, Iso8583Format>);
    getIsoJSON(buffer: Buffer, config?: Iso8583UnpackConfig): Record<string, string>;
    getRawMessage(): Buffer | { error: unknown };
  }
}

declare module 'iso_8583/lib/formats.js' {
  import type { Iso8583Format } from 'iso_8583';
  const formats: Record<string, Iso8583Format>;
  export default formats;
}
