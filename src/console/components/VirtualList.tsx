import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { visibleRange } from '../lib/virtual.ts';

interface Props<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly itemKey: (item: T) => string;
  readonly render: (item: T, index: number) => ComponentChildren;
  readonly label: string;
  /** Scrolled into view when it changes. */
  readonly activeIndex?: number;
  readonly className?: string;
}

/**
 * A list that renders only the rows in view (plus a few either side), so 500
 * open incidents or a long ledger cost the same as twenty. Rows have a fixed height.
 */
export function VirtualList<T>({ items, rowHeight, itemKey, render, label, activeIndex = -1, className = '' }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el || activeIndex < 0) return;
    const top = activeIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [activeIndex, rowHeight]);

  const { start, end } = visibleRange(scrollTop, height, rowHeight, items.length);
  const rows = [];
  for (let i = start; i < end; i++) {
    const item = items[i]!;
    rows.push(
      <div key={itemKey(item)} role="listitem" aria-setsize={items.length} aria-posinset={i + 1} class="vrow" style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>
        {render(item, i)}
      </div>,
    );
  }
  return (
    <div ref={ref} class={`vlist ${className}`} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      <div role="list" aria-label={label} class="vlist-inner" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
