// Writes journals the way the Python client does, for runtime tests that need exact control.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { encodeJournalLine } from '../../runtime/ingest/journalFormat';

export class JournalWriter {
  readonly uuid = crypto.randomUUID();
  readonly file: string;
  private seq = 0;
  readonly lines: string[] = [];

  constructor(readonly dir: string, readonly runId: string, readonly project = 'proj', extra: Record<string, unknown> = {}) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'run.journal');
    this.add('run', { journal: this.uuid, id: runId, project, name: `name-${runId}`, tags: [], start_time: 1700000000, pid: null, host: 'test', run_dir: dir, ...extra });
  }

  add(t: string, fields: Record<string, unknown>, ts = 1700000000 + this.seq): this {
    const line = encodeJournalLine({ s: this.seq++, t, ts, ...fields });
    this.lines.push(line);
    fs.appendFileSync(this.file, line);
    return this;
  }

  history(step: number, data: Record<string, unknown>): this {
    return this.add('history', { step, runtime: step * 0.5, data });
  }

  bytes(): Buffer {
    return fs.readFileSync(this.file);
  }
}
