// The answer as a chart (recharts): bars over categories, a line over time. Loaded on demand.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { ResultTable } from "../api/types";
import { chartData, type ChartSpec } from "../lib/chart";
import { formatDate, formatNumber } from "../lib/format";

interface ResultChartProps {
  table: ResultTable;
  spec: ChartSpec;
}

const COLORS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)", "var(--chart-5)"];
const HEIGHT = 320;

function xLabel(spec: ChartSpec, value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (spec.x.kind === "date" && typeof value === "string") return formatDate(value);
  return typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
}

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export default function ResultChart({ table, spec }: ResultChartProps) {
  const data = chartData(spec, table.rows);
  const names = spec.series.map((s) => s.name).join(", ");
  const description = `${spec.type === "bar" ? "Bar" : "Line"} chart of ${names} by ${spec.x.name}`;
  // Slant category labels when they would not fit side by side (about 7px a character).
  const longest = Math.max(...data.map((d) => xLabel(spec, d.x).length));
  const slant = spec.type === "bar" && data.length * longest > 48;
  const animate = !window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
  const common = {
    data,
    responsive: true,
    style: { width: "100%", height: HEIGHT },
    margin: { top: 8, right: 16, bottom: 8, left: 8 },
  };
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" stroke="var(--border)" />,
    <XAxis
      key="x"
      dataKey="x"
      tickFormatter={(value: unknown) => xLabel(spec, value)}
      stroke="var(--muted)"
      tick={{ fontSize: 12 }}
      angle={slant ? -35 : 0}
      textAnchor={slant ? "end" : "middle"}
      height={slant ? Math.min(110, 20 + longest * 5) : 30}
      interval={spec.type === "bar" && data.length <= 20 ? 0 : "preserveStartEnd"}
    />,
    <YAxis key="y" stroke="var(--muted)" tick={{ fontSize: 12 }} tickFormatter={(value: number) => compact.format(value)} width={56} />,
    <Tooltip
      key="tooltip"
      labelFormatter={(value: unknown) => xLabel(spec, value)}
      formatter={(value: unknown, name: unknown) => [
        typeof value === "number" ? formatNumber(value, { name: String(name), fractional: !Number.isInteger(value) }) : String(value),
        String(name),
      ]}
      contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }}
    />,
    spec.series.length > 1 ? <Legend key="legend" /> : null,
  ];

  return (
    <figure className="result-chart" data-testid="result-chart" data-chart-type={spec.type} aria-label={description}>
      {spec.type === "bar" ? (
        <BarChart {...common}>
          {axes}
          {spec.series.map((series, index) => (
            <Bar key={series.key} dataKey={series.key} name={series.name} fill={COLORS[index % COLORS.length]} radius={[3, 3, 0, 0]} isAnimationActive={animate} />
          ))}
        </BarChart>
      ) : (
        <LineChart {...common}>
          {axes}
          {spec.series.map((series, index) => (
            <Line
              key={series.key}
              type="monotone"
              dataKey={series.key}
              name={series.name}
              stroke={COLORS[index % COLORS.length]}
              strokeWidth={2}
              dot={data.length <= 60}
              connectNulls
              isAnimationActive={animate}
            />
          ))}
        </LineChart>
      )}
      <figcaption className="muted small">{description}</figcaption>
    </figure>
  );
}
