import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly number[];
  /** A CSS colour. */
  readonly color: string;
}

interface Props {
  readonly title: string;
  /** Bucket start times, epoch ms. */
  readonly t: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly height?: number;
}

const AXIS = { stroke: '#9aa7b8', grid: { stroke: '#2a3441', width: 1 }, ticks: { stroke: '#2a3441' } };

function hhmm(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Hourly counts as bars (uPlot: small, fast, canvas). Re-created when the series set changes, updated in place otherwise. */
export function Chart({ title, t, series, height = 180 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.7, 40], align: 1 });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
      // 24-hour clock labels in both languages (uPlot's default is 12-hour English).
      axes: [{ ...AXIS, values: (_u, splits) => splits.map(hhmm) }, { ...AXIS, size: 40 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, fill: `${s.color}99`, width: 1, points: { show: false }, ...(bars ? { paths: bars } : {}) }))],
    };
    const data: uPlot.AlignedData = [t.map((x) => x / 1000), ...series.map((s) => [...s.values])];
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([t.map((x) => x / 1000), ...series.map((s) => [...s.values])]);
  });

  return <div ref={box} class="chart" role="img" aria-label={`${title}: ${series.map((s) => `${s.label} ${s.values.reduce((a, b) => a + b, 0)}`).join(', ')}`} />;
}
