/**
 * Recipe parameters as controls (Observable-style): `param hot = 30 "Hot above (°C)"` becomes a
 * number input and a slider above the cell. The recipe's text stays the one source of truth: a
 * control writes its value into the `param` line, so the saved notebook, the checker, the plan and
 * the run all see the same value.
 */
import type { SensorKind } from "../../../simulator/signals";
import { SENSOR_PROFILES } from "../../../simulator/signals";

/** A declared parameter as the controls show it. */
export interface ParamControl {
  name: string;
  value: string;
  label: string;
  min: number;
  max: number;
  step: number;
}

/** The recipe with parameter `name`'s value replaced by `value` (only the first `param name = …` line). */
export function withParamValue(source: string, name: string, value: string): string {
  const line = new RegExp(`^([ \\t]*param[ \\t]+${name}[ \\t]*=[ \\t]*)(-?[ \\t]*\\d+(?:\\.\\d+)?)`, "m");
  return source.replace(line, (_, head: string) => `${head}${value}`);
}

/** Whether `text` is a decimal the recipe language accepts as a parameter value. */
export function isParamValue(text: string): boolean {
  return /^-?\d{1,30}(?:\.\d{1,30})?$/.test(text.trim());
}

/**
 * The controls of declared parameters. The slider spans the sensor's range when the dataset's
 * kind is known (parameters are thresholds on its readings), else a range around the value; it
 * moves in steps of the dataset's resolution.
 */
export function paramControls(
  params: readonly { name: string; value: string; description?: string }[],
  context: { kind?: SensorKind; scale?: number } = {},
): ParamControl[] {
  const step = context.scale !== undefined ? 10 ** -context.scale : 1;
  return params.map((p) => {
    const value = Number(p.value);
    let [min, max] = context.kind ? SENSOR_PROFILES[context.kind].range : [Math.min(0, value * 2), Math.max(10, value * 2)];
    min = Math.min(min, value);
    max = Math.max(max, value);
    return { name: p.name, value: p.value, label: p.description || p.name, min, max, step };
  });
}
