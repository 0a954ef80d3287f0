/**
 * A picture of a CloudWatch dashboard's layout, drawn from its body: each widget where the
 * dashboard puts it (24-column grid), with its title and what it plots. For the README; the
 * dashboard itself is the real thing.
 */
import type { Widget } from "../governance/dashboard";

const COLUMN = 44;
const ROW = 34;
const PAD = 4;

function escape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** What a metric row plots, in a few words: its metric name or search, and its label. */
function plotted(row: unknown[]): string {
    const options = row.find((x) => typeof x === "object" && x !== null) as
        { label?: string; expression?: string } | undefined;
    if (options?.expression) {
        // A labelled expression (a sum of searched series) by its label; a search by its metric,
        // one series per model (AWS/Bedrock) or per service (AWS/Billing) it finds.
        if (options.label) {
            return options.label;
        }
        const per = options.expression.includes("{AWS/Billing,") ? "service" : "model";
        return /MetricName="([A-Za-z]+)"/.exec(options.expression)?.[1] + ` (every ${per})`;
    }
    const metric = String(row[1]);
    return options?.label ? `${metric}: ${options.label}` : metric;
}

export function dashboardSvg(body: { widgets: readonly Widget[] }): string {
    const width = 24 * COLUMN;
    const height = Math.max(...body.widgets.map((w) => w.y + w.height)) * ROW;
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
        `<rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
    ];
    for (const w of body.widgets) {
        const [x, y] = [w.x * COLUMN + PAD, w.y * ROW + PAD];
        const [wd, ht] = [w.width * COLUMN - 2 * PAD, w.height * ROW - 2 * PAD];
        if (w.type === "text") {
            const title = String(w.properties.markdown).split("\n")[0].replace(/^#\s*/, "");
            parts.push(
                `<text x="${x + 6}" y="${y + ht / 2 + 6}" font-size="18" font-weight="bold" fill="#16191f">${escape(title)}</text>`,
            );
            continue;
        }
        const p = w.properties as { title: string; region: string; metrics?: unknown[][] };
        // A Logs Insights widget (w.type "log") has a query, not metrics: drawn as its frame and title.
        const metrics = p.metrics ?? [];
        parts.push(
            `<rect x="${x}" y="${y}" width="${wd}" height="${ht}" rx="3" fill="#ffffff" stroke="#d5dbdb"/>`,
            `<text x="${x + 8}" y="${y + 20}" font-size="12" font-weight="bold" fill="#16191f">${escape(p.title)}</text>`,
        );
        // A sketch of a graph: a baseline and one line per plotted series.
        const [gx, gy, gw, gh] = [x + 8, y + 32, wd - 16, ht - 40 - 14 * metrics.length];
        parts.push(
            `<line x1="${gx}" y1="${gy + gh}" x2="${gx + gw}" y2="${gy + gh}" stroke="#aab7b8"/>`,
        );
        metrics.forEach((row, i) => {
            parts.push(
                `<text x="${gx}" y="${gy + gh + 14 * (i + 1)}" font-size="10" fill="#545b64">${escape(plotted(row))}</text>`,
            );
        });
    }
    parts.push("</svg>");
    return parts.join("\n") + "\n";
}
