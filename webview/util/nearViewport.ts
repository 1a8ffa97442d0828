// Calls `onNear` when an observed element comes within `margin` of what its scroll container shows.
// The root is the nearest scrolling ancestor, found once the container is in the document: with the
// implicit root, rootMargin is ignored inside iframes (every VS Code webview is one) and the scroll
// container clips elements just below the fold, so nothing would load ahead of scrolling.
export class NearViewport {
  private io?: IntersectionObserver;
  private waiting = new Set<Element>();
  private timer?: number;

  constructor(private container: HTMLElement, private margin: string, private onNear: (el: Element) => void) {}

  observe(el: Element): void {
    if (this.io) return this.io.observe(el);
    this.waiting.add(el);
    this.timer ??= window.setTimeout(() => this.start(), 0);
  }

  unobserve(el: Element): void {
    this.waiting.delete(el);
    this.io?.unobserve(el);
  }

  disconnect(): void {
    window.clearTimeout(this.timer);
    this.waiting.clear();
    this.io?.disconnect();
  }

  private start(): void {
    this.timer = undefined;
    if (!this.container.isConnected) {
      this.timer = window.setTimeout(() => this.start(), 50);
      return;
    }
    this.io = new IntersectionObserver((items) => {
      for (const it of items) if (it.isIntersecting) this.onNear(it.target);
    }, { root: scrollParent(this.container), rootMargin: this.margin });
    for (const el of this.waiting) this.io.observe(el);
    this.waiting.clear();
  }
}

function scrollParent(el: HTMLElement): Element | Document {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowY;
    if (o === 'auto' || o === 'scroll') return p;
  }
  return document;
}
