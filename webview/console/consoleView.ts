// The console panel: output rendered by the terminal model, appended live, following the tail unless
// the user scrolled up, with search (Enter / Shift+Enter step through matches).
import type { ConsoleResponse } from '../../runtime/protocol/api';
import type { Api } from '../api';
import type { LiveHub } from '../live';
import { h, clear, frameThrottle, debounce } from '../util/dom';
import { Terminal, type Span } from './terminal';
import { findMatches, type Match } from './search';

/** Start this far from the end of a long console; the terminal keeps only the last lines anyway. */
const TAIL_BYTES = 2 << 20;

export class ConsoleView {
  readonly el: HTMLElement;
  private out: HTMLElement;
  private term: Terminal;
  private lineEls: HTMLElement[] = [];
  private domFirst = 0;
  private next = 0;
  private loading = true;
  /** The terminal whose lines are on screen (reload() fills a new one off screen, then swaps). */
  private shown?: Terminal;
  private buffered: { offset: number; text: string }[] = [];
  private follow = true;
  private jump: HTMLElement;
  private note: HTMLElement;
  private count: HTMLElement;
  private query = '';
  private matches: Match[] = [];
  private byLine = new Map<number, Match[]>();
  private current = -1;
  private offs: (() => void)[] = [];
  private gen = 0;
  private render = frameThrottle(() => this.paint());
  private research = debounce(() => this.search(this.query, false), 200);

  constructor(private api: Api, live: LiveHub, private runKey: number, private runId: string, private linesKept = 5000) {
    this.term = new Terminal(linesKept);
    this.out = h('div', { class: 'tw-console-out', role: 'log', 'aria-label': 'Console output', tabindex: '0', 'data-lines': '0' });
    this.out.addEventListener('scroll', () => {
      const atEnd = this.out.scrollTop + this.out.clientHeight >= this.out.scrollHeight - 4;
      if (atEnd !== this.follow) {
        this.follow = atEnd;
        this.jump.hidden = atEnd;
      }
    });
    this.jump = h('vscode-button', { secondary: true, class: 'tw-jump', onclick: () => this.toEnd() }, 'Follow output ↓');
    this.jump.hidden = true;
    const field = h('vscode-textfield', { placeholder: 'Search output', 'aria-label': 'Search console output', class: 'tw-console-search' }) as HTMLElement & { value: string };
    field.addEventListener('input', () => this.search(field.value, true));
    field.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.step(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape') {
        field.value = '';
        this.search('', true);
      }
    });
    this.count = h('span', { class: 'tw-match-count', 'aria-live': 'polite' });
    const prev = h('vscode-button', { secondary: true, 'aria-label': 'Previous match', title: 'Previous match (Shift+Enter)', onclick: () => this.step(-1) }, '↑');
    const nextB = h('vscode-button', { secondary: true, 'aria-label': 'Next match', title: 'Next match (Enter)', onclick: () => this.step(1) }, '↓');
    this.note = h('div', { class: 'tw-note' });
    this.note.hidden = true;
    this.el = h('div', { class: 'tw-console' },
      h('div', { class: 'tw-toolbar', role: 'toolbar', 'aria-label': 'Console' }, field, prev, nextB, this.count, h('span', { class: 'tw-spacer' }), this.jump),
      this.note, this.out);
    this.offs.push(
      live.want({ console: [runKey] }),
      live.on('console', (e) => {
        if (e.run.key !== this.runKey) return;
        if (this.loading) this.buffered.push(e);
        else this.take(e.offset, e.text);
      }),
      live.onResync(() => this.reload()),
    );
    this.reload();
  }

  dispose(): void {
    this.offs.forEach((f) => f());
    this.research.cancel();
  }

  /** The rendered text (tests). */
  get text(): string {
    return this.term.plainText();
  }

  private async reload(): Promise<void> {
    const gen = ++this.gen;
    this.loading = true;
    this.buffered = [];
    try {
      let res: ConsoleResponse = await this.api.console(this.runKey, 0, 1);
      if (gen !== this.gen) return;
      const start = Math.max(0, res.total - TAIL_BYTES);
      // The new text goes into a fresh terminal; what is on screen stays until it is complete (no blank flash).
      this.term = new Terminal(this.linesKept);
      this.next = start;
      if (start > 0) {
        this.note.hidden = false;
        this.note.textContent = `Showing the last ${Math.round(TAIL_BYTES / 1048576)} MB of output. The full log: trackwell logs ${this.runId}`;
      }
      // Pages of about 1 MB until the stored end; a page that does not move forward ends it.
      for (;;) {
        const asked = this.next;
        res = await this.api.console(this.runKey, asked);
        if (gen !== this.gen) return;
        for (const p of res.pieces) this.take(p.offset, p.text);
        if (res.next_offset <= asked || this.next >= res.total) break;
      }
      for (const b of this.buffered) this.take(b.offset, b.text);
      this.buffered = [];
      this.loading = false;
      this.paint();
      if (this.term.lineCount === 0) this.setEmpty('No console output yet. What the script prints appears here as it runs.');
    } catch (e) {
      if (gen !== this.gen) return;
      this.loading = false;
      this.term = new Terminal(this.linesKept);
      this.paint();
      this.setEmpty(`Could not load the console: ${(e as Error).message}`);
    }
  }

  private setEmpty(text: string): void {
    if (this.term.lineCount) return;
    clear(this.out);
    this.lineEls = [];
    this.out.append(h('div', { class: 'tw-empty-inline tw-console-empty' }, text));
  }

  /** Text at a byte offset: skips what was already taken; a gap means events were missed. */
  private take(offset: number, text: string): void {
    if (offset < this.next) {
      // Overlap with what we have (a piece that began before our start): keep only the new bytes.
      const bytes = new TextEncoder().encode(text);
      const skip = this.next - offset;
      if (skip >= bytes.length) return;
      text = new TextDecoder().decode(bytes.subarray(skip));
      offset = this.next;
    } else if (offset > this.next && !this.loading) {
      this.reload();
      return;
    }
    if (this.out.querySelector('.tw-console-empty')) clear(this.out);
    this.term.write(text);
    this.next = offset + new TextEncoder().encode(text).length;
    this.render();
    if (this.query) this.research();
  }

  private paint(): void {
    if (this.loading) return; // reload() paints once the whole tail is in
    if (this.shown !== this.term) {
      this.shown = this.term;
      clear(this.out);
      this.lineEls = [];
    }
    const t = this.term;
    const dirty = t.takeDirty();
    // Lines dropped from the top of the terminal leave the DOM too.
    while (this.domFirst < t.firstLine && this.lineEls.length) {
      this.lineEls.shift()!.remove();
      this.domFirst++;
    }
    if (!this.lineEls.length) this.domFirst = t.firstLine;
    const from = Math.max(t.firstLine, Math.min(dirty, this.domFirst + this.lineEls.length));
    for (const el of this.lineEls.splice(from - this.domFirst)) el.remove();
    const frag = document.createDocumentFragment();
    for (let i = from; i < t.lineCount; i++) {
      const el = this.lineEl(i);
      this.lineEls.push(el);
      frag.append(el);
    }
    this.out.append(frag);
    this.out.dataset.lines = String(t.lineCount - t.firstLine);
    if (this.follow) this.out.scrollTop = this.out.scrollHeight;
  }

  private lineEl(i: number): HTMLElement {
    const el = h('div', { class: 'tw-line' });
    const marks = this.byLine.get(i) ?? [];
    appendSpans(el, this.term.spans(i), marks, this.matches[this.current]);
    if (!el.firstChild) el.append('\u200b');
    return el;
  }

  private toEnd(): void {
    this.follow = true;
    this.jump.hidden = true;
    this.out.scrollTop = this.out.scrollHeight;
  }

  private search(q: string, jump: boolean): void {
    const old = new Set(this.matches.map((m) => m.line));
    this.query = q;
    const cur = this.matches[this.current];
    this.matches = findMatches(q, this.term.firstLine, this.term.lineCount, (i) => this.term.text(i));
    this.byLine = new Map();
    for (const m of this.matches) {
      const list = this.byLine.get(m.line);
      if (list) list.push(m);
      else this.byLine.set(m.line, [m]);
    }
    if (jump) this.current = this.matches.length ? 0 : -1;
    else if (cur) {
      const i = this.matches.findIndex((m) => m.line === cur.line && m.start === cur.start);
      this.current = i >= 0 ? i : Math.min(this.current, this.matches.length - 1);
    }
    for (const m of this.matches) old.add(m.line);
    this.repaintLines(old);
    this.updateCount();
    if (jump && this.current >= 0) this.reveal();
  }

  private step(dir: number): void {
    if (!this.matches.length) return;
    const prevLine = this.matches[this.current]?.line;
    this.current = (this.current + dir + this.matches.length) % this.matches.length;
    this.repaintLines(new Set([prevLine, this.matches[this.current].line].filter((x): x is number => x !== undefined)));
    this.updateCount();
    this.reveal();
  }

  private updateCount(): void {
    this.count.textContent = !this.query ? '' : this.matches.length ? `${this.current + 1} of ${this.matches.length}` : 'No matches';
  }

  private repaintLines(lines: Set<number>): void {
    for (const i of lines) {
      const old = this.lineEls[i - this.domFirst];
      if (!old) continue;
      const el = this.lineEl(i);
      old.replaceWith(el);
      this.lineEls[i - this.domFirst] = el;
    }
  }

  private reveal(): void {
    const m = this.matches[this.current];
    const el = m && this.lineEls[m.line - this.domFirst];
    if (!el) return;
    this.follow = false;
    this.jump.hidden = false;
    el.scrollIntoView({ block: 'center' });
  }
}

/** Styled spans, with search matches wrapped in <mark> (split across style changes as needed). */
function appendSpans(el: HTMLElement, spans: Span[], marks: Match[], current: Match | undefined): void {
  let pos = 0;
  for (const s of spans) {
    const end = pos + [...s.text].length;
    const chars = [...s.text];
    let at = pos;
    const cuts = new Set<number>([pos, end]);
    for (const m of marks) {
      if (m.start > pos && m.start < end) cuts.add(m.start);
      if (m.end > pos && m.end < end) cuts.add(m.end);
    }
    const points = [...cuts].sort((a, b) => a - b);
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k], b = points[k + 1];
      const text = chars.slice(a - pos, b - pos).join('');
      const span = styled(text, s.style);
      const m = marks.find((mm) => mm.start <= a && mm.end >= b);
      if (m) {
        const mark = h('mark', { class: m === current ? 'tw-mark tw-mark-current' : 'tw-mark' }, span);
        el.append(mark);
      } else el.append(span);
      at = b;
    }
    pos = at;
  }
}

function styled(text: string, st: Span['style']): Node {
  if (!st || !Object.keys(st).length) return document.createTextNode(text);
  const span = document.createElement('span');
  span.textContent = text;
  let fg = st.fg, bg = st.bg;
  if (st.inverse) {
    [fg, bg] = [bg, fg];
    span.classList.add('tw-inv');
  }
  if (typeof fg === 'number') span.classList.add(`tw-fg${fg}`);
  else if (fg) span.style.color = fg;
  if (typeof bg === 'number') span.classList.add(`tw-bg${bg}`);
  else if (bg) span.style.backgroundColor = bg;
  if (st.bold) span.classList.add('tw-b');
  if (st.dim) span.classList.add('tw-d');
  if (st.italic) span.classList.add('tw-i');
  if (st.underline) span.classList.add('tw-u');
  if (st.strike) span.classList.add('tw-s');
  return span;
}
