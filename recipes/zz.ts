import { check } from "./src/checker";
import { plan } from "./src/planner";
import { interpretResults } from "./src/interpreter";
import { planToJSON, PlanSchema } from "./src/plan-json";
const src = `param hot = 30
from "greenhouse" window last 24h
mean(temperature)
count(temperature > hot)
histogram(temperature, [0, 10, 20, 30, 40])
stddev(temperature)
range(temperature)
`;
const c = check({ source: src, dataset: { field: "temperature", scale: 2, offset: -5000 } });
if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
const now = 1_800_000_000;
const count = 10_003;
const timestamps = Array.from({ length: count }, (_, i) => now - (count - 1 - i) * 10);
const r = plan({ ir: c.ir, dataset: { id: 7, scale: 2, offset: -5000, k: 10, readingCount: count, timestamps, unit: "°C" }, now });
if (!r.ok) throw new Error(r.error.message);
const p = r.plan;
console.log(p.window, p.notes, p.ops, p.programHash, p.steps.length, p.steps.slice(0,2), p.steps.at(-1), p.handles.length);
const json = planToJSON(p);
const back = PlanSchema.parse(json);
console.log(JSON.stringify(back) === JSON.stringify(json) ? "roundtrip-json-same" : "diff", back.ops[1].a);
