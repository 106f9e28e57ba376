// Windows-1252 decoding done by hand, because Node 20.18.3+ decodes it (and
// every label WHATWG maps to it: latin1, iso-8859-1, us-ascii, ...) as plain
// ISO-8859-1, turning 0x80-0x9F (€, curly quotes, dashes) into C1 controls
// (nodejs/node#60888). The table is the WHATWG index; nothing else lives here.
import { Buffer } from 'node:buffer';

// Code points for bytes 0x80-0x9F; the five unassigned bytes map to themselves.
const HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
].map((cp) => String.fromCharCode(cp));

export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (c) => HIGH[c.charCodeAt(0) - 0x80] as string);
}
