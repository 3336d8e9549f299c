import type { ComplianceTrendPoint } from '../api/types';
import { formatNumber } from './format';

const W = 640;
const H = 180;
const PAD = { left: 36, right: 12, top: 10, bottom: 24 };
const SERIES = [
  { key: 'compliantClusters', label: 'Compliant', color: '#15803d' },
  { key: 'nonCompliantClusters', label: 'Non-compliant', color: '#b91c1c' },
  { key: 'erroredClusters', label: 'Errored', color: '#b45309' },
] as const;

const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * The fleet's compliance trend as a small SVG line chart (no chart library: three polylines and
 * two axes are less code than a dependency), with the same figures in a table for screen readers
 * and for exact reading.
 */
export function TrendChart({ points }: { points: ComplianceTrendPoint[] }) {
  if (points.length === 0) return <p className="muted">No history yet.</p>;
  const max = Math.max(1, ...points.flatMap((p) => SERIES.map((s) => p[s.key])));
  const x = (i: number) => PAD.left + (points.length === 1 ? 0 : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure className="trend" data-testid="compliance-trend">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Compliant clusters from ${first.compliantClusters} to ${last.compliantClusters} over ${points.length} days`}>
        <line x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} stroke="#9ca3af" />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={y(0)} stroke="#9ca3af" />
        <text x={PAD.left - 6} y={y(max) + 4} textAnchor="end" fontSize="11">
          {formatNumber(max)}
        </text>
        <text x={PAD.left - 6} y={y(0) + 4} textAnchor="end" fontSize="11">
          0
        </text>
        <text x={PAD.left} y={H - 6} fontSize="11">
          {day.format(new Date(first.at))}
        </text>
        <text x={W - PAD.right} y={H - 6} fontSize="11" textAnchor="end">
          {day.format(new Date(last.at))}
        </text>
        {SERIES.map((s) => (
          <polyline key={s.key} fill="none" stroke={s.color} strokeWidth="2" points={points.map((p, i) => `${x(i)},${y(p[s.key])}`).join(' ')} data-series={s.key} />
        ))}
      </svg>
      <figcaption className="legend">
        {SERIES.map((s) => (
          <span key={s.key}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" /> {s.label}
          </span>
        ))}
      </figcaption>
      <details>
        <summary>Figures per day</summary>
        <table data-testid="compliance-trend-table">
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col" className="num">Compliant</th>
              <th scope="col" className="num">Non-compliant</th>
              <th scope="col" className="num">Errored</th>
              <th scope="col" className="num">Violations</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.at}>
                <th scope="row">{p.at.slice(0, 10)}</th>
                <td className="num">{formatNumber(p.compliantClusters)}</td>
                <td className="num">{formatNumber(p.nonCompliantClusters)}</td>
                <td className="num">{formatNumber(p.erroredClusters)}</td>
                <td className="num">{formatNumber(p.violationCount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
