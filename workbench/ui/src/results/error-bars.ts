/**
 * A Chart.js plugin that draws error bars: a dataset with an `errorBars` array (one 95 % half-width
 * per data point, in the value's unit; undefined or 0 for none) gets a vertical line with caps from
 * value − e to value + e over each bar or point. Private datasets' results carry noise; the bars
 * show how far the true value may be from the drawn one.
 */
import type { Chart, Plugin } from "chart.js";

/** The property a dataset carries its half-widths in. */
export interface WithErrorBars {
  errorBars?: readonly (number | undefined)[];
}

/** The y value of a data point (a number, or `{ y }` with parsing off). */
function yOf(point: unknown): number | undefined {
  if (typeof point === "number") return point;
  if (point && typeof point === "object" && "y" in point && typeof (point as { y: unknown }).y === "number") return (point as { y: number }).y;
  return undefined;
}

/** Draws each dataset's error bars after the datasets are drawn. */
export const errorBarsPlugin: Plugin = {
  id: "errorBars",
  afterDatasetsDraw(chart: Chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((dataset, datasetIndex) => {
      const errors = (dataset as WithErrorBars).errorBars;
      const meta = chart.getDatasetMeta(datasetIndex);
      if (!errors || meta.hidden) return;
      const scale = chart.scales[meta.yAxisID ?? "y"];
      if (!scale) return;
      ctx.save();
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 1.25;
      meta.data.forEach((element, i) => {
        const error = errors[i];
        const y = yOf(dataset.data[i]);
        if (!error || y === undefined) return;
        const x = element.x;
        const top = scale.getPixelForValue(y + error);
        const bottom = scale.getPixelForValue(y - error);
        const cap = 5;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - cap, top);
        ctx.lineTo(x + cap, top);
        ctx.moveTo(x - cap, bottom);
        ctx.lineTo(x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};
