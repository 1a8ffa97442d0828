// Parsing journal lines: `<crc32 hex8> <json>\n` (docs/journal.md).
import zlib from 'node:zlib';
import type { JournalRecord } from '../protocol/journal';

export interface LineProblem {
  /** byte offset of the line in the journal */
  offset: number;
  reason: string;
}

export interface ParsedChunk {
  records: { record: JournalRecord; offset: number; end: number }[];
  /** bytes of `buf` consumed: everything up to the end of the last complete line */
  consumed: number;
  problems: LineProblem[];
  /** a trailing partial line (no newline yet) was left unconsumed */
  partialTail: boolean;
}

const NL = 0x0a;

/** Parses the complete lines of `buf`, which starts at journal byte offset `base`. */
export function parseJournalBytes(buf: Buffer, base = 0): ParsedChunk {
  const records: ParsedChunk['records'] = [];
  const problems: LineProblem[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(NL, pos);
    if (nl < 0) break;
    const line = buf.subarray(pos, nl);
    const parsed = parseLine(line);
    if ('record' in parsed) records.push({ record: parsed.record, offset: base + pos, end: base + nl + 1 });
    else if (line.length > 0) problems.push({ offset: base + pos, reason: parsed.reason });
    pos = nl + 1;
  }
  return { records, consumed: pos, problems, partialTail: pos < buf.length };
}

function parseLine(line: Buffer): { record: JournalRecord } | { reason: string } {
  if (line.length < 10 || line[8] !== 0x20) return { reason: 'malformed line (no checksum prefix)' };
  const want = parseInt(line.subarray(0, 8).toString('latin1'), 16);
  const body = line.subarray(9);
  if (!Number.isFinite(want) || zlib.crc32(body) !== want) return { reason: 'checksum mismatch' };
  try {
    const record = JSON.parse(body.toString('utf8')) as JournalRecord;
    if (typeof record !== 'object' || record === null || typeof record.s !== 'number' || typeof record.t !== 'string') {
      return { reason: 'record without sequence number or type' };
    }
    return { record };
  } catch (e) {
    return { reason: `invalid JSON (${(e as Error).message})` };
  }
}

/** Encodes one record as a journal line (used by tests and tools that write journals). */
export function encodeJournalLine(record: object): string {
  const json = JSON.stringify(record);
  return `${zlib.crc32(Buffer.from(json, 'utf8')).toString(16).padStart(8, '0')} ${json}\n`;
}
