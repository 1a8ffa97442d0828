// vscode-tabs with named panels whose content is built on first show (the console of a run is only
// fetched when someone looks at it).
import { h } from '../util/dom';

export interface TabSpec {
  id: string;
  label: string;
  build(): HTMLElement;
}

export function tabs(specs: TabSpec[], selected: string, onSelect: (id: string) => void): HTMLElement {
  const el = h('vscode-tabs', { class: 'tw-tabs' }) as HTMLElement & { selectedIndex: number };
  const panels: HTMLElement[] = [];
  const built = new Set<number>();
  const show = (i: number) => {
    if (built.has(i) || !specs[i]) return;
    built.add(i);
    panels[i].append(specs[i].build());
  };
  specs.forEach((s) => {
    el.append(h('vscode-tab-header', { slot: 'header', 'data-tab': s.id }, s.label));
    const panel = h('vscode-tab-panel', { 'data-tab': s.id, class: 'tw-tab-panel' });
    panels.push(panel);
    el.append(panel);
  });
  const index = Math.max(0, specs.findIndex((s) => s.id === selected));
  el.selectedIndex = index;
  el.setAttribute('selected-index', String(index));
  show(index);
  el.addEventListener('vsc-tabs-select', (e) => {
    const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    show(i);
    onSelect(specs[i].id);
  });
  return el;
}
