// A tiny element builder: h('div', {class: 'x', onclick: fn}, child, 'text').

type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | ((e: any) => void);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, AttrValue> | null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Record<string, AttrValue> | null, ...children: (Child | Child[])[]): HTMLElement;
export function h(tag: string, attrs?: Record<string, AttrValue> | null, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

/** Runs `fn` at most once per animation frame. */
export function frameThrottle(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): ((...a: A) => void) & { cancel(): void; flush(): void } {
  let t: number | undefined;
  let waiting: A | undefined;
  const f = (...a: A) => {
    window.clearTimeout(t);
    waiting = a;
    t = window.setTimeout(() => {
      waiting = undefined;
      fn(...a);
    }, ms);
  };
  f.cancel = () => {
    window.clearTimeout(t);
    waiting = undefined;
  };
  /** Runs a pending call now (a page about to go away). */
  f.flush = () => {
    const a = waiting;
    f.cancel();
    if (a) fn(...a);
  };
  return f;
}

/** A `<code>` command users can select and copy. */
export const cmd = (text: string): HTMLElement => h('code', { class: 'tw-cmd' }, text);
