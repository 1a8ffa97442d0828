// A small terminal emulator for console output, pure (no DOM): it keeps lines of styled characters
// and applies what a terminal would: `\r` returns to the line start and later text overwrites,
// `\b` backs up, `ESC[K`/`ESC[2K` erase, `ESC[nA`/`ESC[nB` move between lines (tqdm's nested bars),
// and SGR colours (16, 256 and truecolor). So a progress bar redrawn 1,000 times stays one line.

/** 0-15: the theme's ANSI colours; 16-255 and truecolor are resolved to "#rrggbb". */
export type Color = number | string;

export interface Style {
  fg?: Color;
  bg?: Color;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

export interface Span {
  text: string;
  style: Style;
}

interface Line {
  chars: string[];
  styles: number[];
}

const ESC = '\x1b';
const MAX_PENDING = 256;

export class Terminal {
  private lines: Line[] = [{ chars: [], styles: [] }];
  private row = 0;
  private col = 0;
  private style: Style = {};
  private styleId = 0;
  private styleTable: Style[] = [{}];
  private styleIds = new Map<string, number>([['{}', 0]]);
  private pending = '';
  private dropped = 0;
  private dirty = 0;

  constructor(private readonly maxLines = 5000) {}

  /** Absolute number of the first kept line (older ones were dropped past maxLines). */
  get firstLine(): number {
    return this.dropped;
  }

  /** Lines to show: the line under the cursor is left out while it is still empty. */
  get lineCount(): number {
    const last = this.lines[this.lines.length - 1];
    const n = this.lines.length - (last.chars.length === 0 && this.row === this.lines.length - 1 ? 1 : 0);
    return this.dropped + n;
  }

  /** Absolute index of the first line changed since the last call (Infinity if none). */
  takeDirty(): number {
    const d = this.dirty;
    this.dirty = Infinity;
    return d;
  }

  text(abs: number): string {
    return this.lines[abs - this.dropped]?.chars.join('') ?? '';
  }

  spans(abs: number): Span[] {
    const line = this.lines[abs - this.dropped];
    if (!line) return [];
    const out: Span[] = [];
    let start = 0;
    for (let i = 1; i <= line.chars.length; i++) {
      if (i === line.chars.length || line.styles[i] !== line.styles[start]) {
        out.push({ text: line.chars.slice(start, i).join(''), style: this.styleTable[line.styles[start]] });
        start = i;
      }
    }
    return out;
  }

  /** All shown lines as plain text (tests, copy). */
  plainText(): string {
    const out: string[] = [];
    for (let i = this.dropped; i < this.lineCount; i++) out.push(this.text(i));
    return out.join('\n');
  }

  write(data: string): void {
    const s = this.pending + data;
    this.pending = '';
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (c === ESC) {
        const used = this.escape(s, i);
        if (used === 0) {
          // An escape sequence split across writes: keep it for the next one.
          this.pending = s.slice(i);
          if (this.pending.length > MAX_PENDING) this.pending = '';
          return;
        }
        i += used;
        continue;
      }
      const code = c.charCodeAt(0);
      if (c === '\n') this.newline();
      else if (c === '\r') this.col = 0;
      else if (c === '\b') this.col = Math.max(0, this.col - 1);
      else if (c === '\t') this.col = (Math.floor(this.col / 8) + 1) * 8;
      else if (code < 0x20 || code === 0x7f) {
        /* other control characters (bell, ...) have no visible effect */
      } else {
        // Keep surrogate pairs together as one cell.
        const hi = code >= 0xd800 && code <= 0xdbff && i + 1 < s.length;
        this.put(hi ? s.slice(i, i + 2) : c);
        i += hi ? 2 : 1;
        continue;
      }
      i++;
    }
  }

  private line(): Line {
    return this.lines[this.row];
  }

  private touch(row = this.row): void {
    this.dirty = Math.min(this.dirty, this.dropped + row);
  }

  private put(ch: string): void {
    const line = this.line();
    while (line.chars.length < this.col) {
      line.chars.push(' ');
      line.styles.push(0);
    }
    line.chars[this.col] = ch;
    line.styles[this.col] = this.styleId;
    this.col++;
    this.touch();
  }

  private newline(): void {
    this.row++;
    this.col = 0;
    if (this.row === this.lines.length) {
      this.lines.push({ chars: [], styles: [] });
      this.touch();
    }
    const extra = this.lines.length - this.maxLines;
    if (extra > 0) {
      this.lines.splice(0, extra);
      this.dropped += extra;
      this.row = Math.max(0, this.row - extra);
      this.dirty = Math.max(this.dirty, this.dropped);
    }
  }

  /** Parses the escape sequence at s[i]; returns its length, or 0 if it is incomplete. */
  private escape(s: string, i: number): number {
    if (i + 1 >= s.length) return 0;
    const kind = s[i + 1];
    if (kind === '[') {
      let j = i + 2;
      while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x3f) j++;
      if (j >= s.length) return 0;
      const final = s[j];
      const params = s.slice(i + 2, j);
      if (!/^[<=>?]/.test(params)) this.csi(params, final);
      return j - i + 1;
    }
    if (kind === ']') {
      // OSC (titles, hyperlinks): up to BEL or ESC \, dropped.
      for (let j = i + 2; j < s.length; j++) {
        if (s[j] === '\x07') return j - i + 1;
        if (s[j] === ESC) return j + 1 < s.length ? j - i + 2 : 0;
      }
      return 0;
    }
    // Two-character sequences (charset selection and the like).
    if (kind === '(' || kind === ')') return i + 2 < s.length ? 3 : 0;
    return 2;
  }

  private csi(params: string, final: string): void {
    const nums = params.split(/[;:]/).map((p) => (p === '' ? NaN : Number(p)));
    const n = (dflt: number) => (Number.isFinite(nums[0]) && nums[0] > 0 ? nums[0] : dflt);
    switch (final) {
      case 'm':
        this.sgr(nums);
        return;
      case 'K': {
        const line = this.line();
        const mode = Number.isFinite(nums[0]) ? nums[0] : 0;
        if (mode === 0) {
          line.chars.length = Math.min(line.chars.length, this.col);
          line.styles.length = line.chars.length;
        } else if (mode === 1) {
          for (let k = 0; k <= this.col && k < line.chars.length; k++) {
            line.chars[k] = ' ';
            line.styles[k] = 0;
          }
        } else {
          line.chars.length = 0;
          line.styles.length = 0;
        }
        this.touch();
        return;
      }
      case 'J': {
        // Erase below (0): the rest of this line and every line after it. Whole-screen clears
        // (2, 3) make no sense for a log and are ignored.
        if ((Number.isFinite(nums[0]) ? nums[0] : 0) !== 0) return;
        const line = this.line();
        line.chars.length = Math.min(line.chars.length, this.col);
        line.styles.length = line.chars.length;
        this.lines.length = this.row + 1;
        this.touch();
        return;
      }
      case 'A':
      case 'F':
        this.row = Math.max(0, this.row - n(1));
        if (final === 'F') this.col = 0;
        return;
      case 'B':
      case 'E':
        for (let k = n(1); k > 0; k--) {
          if (this.row === this.lines.length - 1) this.lines.push({ chars: [], styles: [] });
          this.row++;
        }
        this.touch();
        if (final === 'E') this.col = 0;
        return;
      case 'C':
        this.col += n(1);
        return;
      case 'D':
        this.col = Math.max(0, this.col - n(1));
        return;
      case 'G':
        this.col = n(1) - 1;
        return;
      default:
      // Other sequences (cursor save/restore, scrolling regions) do not apply to a log.
    }
  }

  private sgr(nums: number[]): void {
    const st: Style = { ...this.style };
    if (!nums.length) nums = [0];
    for (let k = 0; k < nums.length; k++) {
      const p = Number.isFinite(nums[k]) ? nums[k] : 0;
      if (p === 0) {
        for (const key of Object.keys(st) as (keyof Style)[]) delete st[key];
      } else if (p === 1) st.bold = true;
      else if (p === 2) st.dim = true;
      else if (p === 3) st.italic = true;
      else if (p === 4) st.underline = true;
      else if (p === 7) st.inverse = true;
      else if (p === 9) st.strike = true;
      else if (p === 22) { delete st.bold; delete st.dim; }
      else if (p === 23) delete st.italic;
      else if (p === 24) delete st.underline;
      else if (p === 27) delete st.inverse;
      else if (p === 29) delete st.strike;
      else if (p >= 30 && p <= 37) st.fg = p - 30;
      else if (p >= 90 && p <= 97) st.fg = p - 90 + 8;
      else if (p === 39) delete st.fg;
      else if (p >= 40 && p <= 47) st.bg = p - 40;
      else if (p >= 100 && p <= 107) st.bg = p - 100 + 8;
      else if (p === 49) delete st.bg;
      else if (p === 38 || p === 48) {
        const which = p === 38 ? 'fg' : 'bg';
        if (nums[k + 1] === 5 && Number.isFinite(nums[k + 2])) {
          st[which] = color256(nums[k + 2]);
          k += 2;
        } else if (nums[k + 1] === 2) {
          // 38;2;r;g;b (and the colon form 38:2::r:g:b, whose empty colour-space id parses as NaN)
          let j = k + 2;
          if (!Number.isFinite(nums[j]) && nums.length - j >= 4) j++;
          const [r, g, b] = [nums[j], nums[j + 1], nums[j + 2]].map((x) => clampByte(x));
          st[which] = hex(r, g, b);
          k = j + 2;
        }
      }
    }
    this.style = st;
    const key = JSON.stringify(st, Object.keys(st).sort());
    let id = this.styleIds.get(key);
    if (id === undefined) {
      id = this.styleTable.length;
      this.styleTable.push(st);
      this.styleIds.set(key, id);
    }
    this.styleId = id;
  }
}

const clampByte = (x: number) => (Number.isFinite(x) ? Math.min(255, Math.max(0, Math.round(x))) : 0);
const hex = (r: number, g: number, b: number) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** xterm's 256-colour table: 0-15 stay theme colours, then a 6x6x6 cube, then 24 greys. */
export function color256(n: number): Color {
  const i = clampByte(n);
  if (i < 16) return i;
  if (i >= 232) {
    const v = 8 + (i - 232) * 10;
    return hex(v, v, v);
  }
  const c = i - 16;
  const level = (v: number) => (v ? 55 + v * 40 : 0);
  return hex(level(Math.floor(c / 36)), level(Math.floor(c / 6) % 6), level(c % 6));
}
