/**
 * The built-in recipe templates: statistics a buyer of IoT data actually asks for. Each template's
 * parameters (defaults and descriptions) are declared in its source with `param`, so the source
 * is the single truth; {@link TEMPLATE_DEFINITIONS} adds what the catalogue of templates shows.
 * Sources are in canonical format (a test holds them to it).
 */

/** The kind of dataset a template is written for, with realistic encoding metadata. */
export interface TemplateExample {
  /** The field name of such a dataset (the source uses it, or the `value` alias that fits any field). */
  readonly field: string;
  readonly unit: string;
  readonly scale: number;
  /** In scaled units, as on-chain. */
  readonly offset: number;
  /** A plausible range of readings, for sample data. */
  readonly typical: readonly [number, number];
}

/** A template as written. */
export interface TemplateDefinition {
  /** Stable identifier (kebab-case). */
  readonly id: string;
  readonly title: string;
  /** What it tells the buyer, in one or two sentences. */
  readonly description: string;
  readonly tags: readonly string[];
  /** The kind of dataset it suits. */
  readonly example: TemplateExample;
  /** The recipe; `from "your-dataset"` is replaced when the template is forked onto a dataset. */
  readonly source: string;
}

const THERMOMETER: TemplateExample = { field: "temperature", unit: "°C", scale: 2, offset: -5000, typical: [-10, 40] };
const FREEZER: TemplateExample = { field: "temperature", unit: "°C", scale: 2, offset: -5000, typical: [-28, -12] };
const ANY_SENSOR: TemplateExample = { field: "temperature", unit: "°C", scale: 2, offset: -5000, typical: [-10, 40] };
const POWER: TemplateExample = { field: "power", unit: "W", scale: 1, offset: 0, typical: [0, 2500] };
const ENERGY: TemplateExample = { field: "energy", unit: "kWh", scale: 3, offset: 0, typical: [0, 2] };
const PM25: TemplateExample = { field: "pm25", unit: "µg/m³", scale: 1, offset: 0, typical: [0, 80] };
const CO2: TemplateExample = { field: "co2", unit: "ppm", scale: 0, offset: 0, typical: [400, 2000] };
const HUMIDITY: TemplateExample = { field: "humidity", unit: "%", scale: 1, offset: 0, typical: [20, 95] };
const WATER_LEVEL: TemplateExample = { field: "level", unit: "m", scale: 3, offset: -10_000, typical: [0, 4] };
const VIBRATION: TemplateExample = { field: "vibration", unit: "mm/s", scale: 2, offset: 0, typical: [0, 12] };

const lines = (...text: string[]) => `${text.join("\n")}\n`;

/** Every built-in template, in the order the library shows them. */
export const TEMPLATE_DEFINITIONS: readonly TemplateDefinition[] = [
  {
    id: "daily-summary",
    title: "Daily summary",
    description: "Mean, lowest and highest reading of the last 24 hours, and how many readings there were. Fits any sensor.",
    tags: ["daily", "summary", "any sensor"],
    example: ANY_SENSOR,
    source: lines(
      "# Mean, lowest and highest reading of the last 24 hours.",
      'from "your-dataset" window last 24h',
      "",
      'mean(value) as "Mean"',
      'min(value) as "Lowest"',
      'max(value) as "Highest"',
      'count() as "Readings"',
    ),
  },
  {
    id: "scheduled-report",
    title: "Scheduled report",
    description: "For a recurring report: each run summarises the readings that arrived since the previous report.",
    tags: ["schedule", "summary", "any sensor"],
    example: ANY_SENSOR,
    source: lines(
      "# Each run covers the readings since the previous report of its schedule.",
      'from "your-dataset" window since last report',
      "",
      'count() as "New readings"',
      'mean(value) as "Mean"',
      'min(value) as "Lowest"',
      'max(value) as "Highest"',
    ),
  },
  {
    id: "heat-exceedance",
    title: "Hot readings",
    description: "How often the temperature went above a limit in the last 24 hours, as a count and a share of the day.",
    tags: ["temperature", "exceedance", "daily"],
    example: THERMOMETER,
    source: lines(
      "# How often was it too hot in the last 24 hours?",
      'param limit = 30 "Temperature above which a reading counts as hot (°C)"',
      "",
      'from "your-dataset" window last 24h',
      "",
      'count(temperature > limit) as "Hot readings"',
      'share(temperature > limit) as "Share of the day above the limit"',
      'max(temperature) as "Hottest reading"',
    ),
  },
  {
    id: "comfort-band",
    title: "Comfort band",
    description: "Share of the last week a room spent inside a comfortable temperature band, too cold and too warm.",
    tags: ["temperature", "building", "comfort", "weekly"],
    example: THERMOMETER,
    source: lines(
      "# Time spent inside, below and above the comfort band over the last week.",
      'param low = 20 "Lower edge of the comfort band (°C)"',
      'param high = 24 "Upper edge of the comfort band (°C)"',
      "",
      'from "your-dataset" window last 7d',
      "",
      'share(temperature between low and high) as "In the comfort band"',
      'share(temperature < low) as "Too cold"',
      'share(temperature > high) as "Too warm"',
    ),
  },
  {
    id: "temperature-histogram",
    title: "Temperature distribution",
    description: "How the last week's readings spread over 5 °C bands: a histogram with nine buckets.",
    tags: ["temperature", "histogram", "weekly"],
    example: THERMOMETER,
    source: lines(
      "# How the readings of the last week spread over 5 °C bands.",
      'from "your-dataset" window last 7d',
      "",
      'histogram(temperature, [0, 5, 10, 15, 20, 25, 30, 35]) as "Readings per band"',
      'count() as "Readings"',
    ),
  },
  {
    id: "stability",
    title: "Stability",
    description: "How steady a signal was over the last 24 hours: mean, standard deviation and the spread between extremes.",
    tags: ["variance", "quality", "daily", "any sensor"],
    example: ANY_SENSOR,
    source: lines(
      "# How steady was the signal over the last 24 hours?",
      'from "your-dataset" window last 24h',
      "",
      'mean(value) as "Mean"',
      'stddev(value) as "Standard deviation"',
      'range(value) as "Spread between extremes"',
    ),
  },
  {
    id: "cold-chain-alert",
    title: "Cold-chain alert",
    description: "Whether a freezer left its safe range since the last report, and its warmest reading.",
    tags: ["temperature", "alert", "cold chain", "schedule"],
    example: FREEZER,
    source: lines(
      "# Did the freezer leave its safe range since the last report?",
      'param warmest = -15 "Alarm above this temperature (°C)"',
      'param coldest = -30 "Alarm below this temperature (°C)"',
      "",
      'from "your-dataset" window since last report',
      "",
      'alert(temperature > warmest) as "Too warm"',
      'alert(temperature < coldest) as "Too cold"',
      'max(temperature) as "Warmest reading"',
    ),
  },
  {
    id: "frost-warning",
    title: "Frost warning",
    description: "Whether it froze in the last 24 hours, for how many readings, and the coldest reading.",
    tags: ["temperature", "alert", "agriculture", "daily"],
    example: THERMOMETER,
    source: lines(
      "# Did it freeze in the last 24 hours?",
      'param frost = 0 "Frost threshold (°C)"',
      "",
      'from "your-dataset" window last 24h',
      "",
      'alert(temperature <= frost) as "Frost"',
      'count(temperature <= frost) as "Readings at or below the threshold"',
      'min(temperature) as "Coldest reading"',
    ),
  },
  {
    id: "duty-cycle",
    title: "Duty cycle",
    description: "Share of the last 24 hours a machine was running (power above its standby level), its mean power while running and its peak.",
    tags: ["power", "energy", "machine", "daily"],
    example: POWER,
    source: lines(
      "# How long was the machine on in the last 24 hours, and how hard did it work?",
      'param standby = 5 "Power below which the machine counts as off (W)"',
      "",
      'from "your-dataset" window last 24h',
      "",
      'share(power > standby) as "Duty cycle"',
      'mean(power where power > standby) as "Mean power while on"',
      'max(power) as "Peak power"',
    ),
  },
  {
    id: "energy-consumption",
    title: "Energy consumption",
    description: "Total energy of a meter that reports the energy used per interval, over the last 30 days, with the largest interval.",
    tags: ["energy", "meter", "monthly"],
    example: ENERGY,
    source: lines(
      "# A meter reporting the energy used in each interval (kWh per reading).",
      'from "your-dataset" window last 30d',
      "",
      'sum(energy) as "Total energy"',
      'mean(energy) as "Mean per interval"',
      'max(energy) as "Largest interval"',
    ),
  },
  {
    id: "air-quality-guideline",
    title: "Air quality against the WHO guideline",
    description: "Mean fine-dust level (PM2.5) of the last week, how often it broke the WHO 24-hour guideline, and the worst reading.",
    tags: ["air quality", "pm2.5", "exceedance", "weekly"],
    example: PM25,
    source: lines(
      "# Fine dust (PM2.5) over the last week against the WHO 24-hour guideline.",
      'param guideline = 15 "WHO 24-hour guideline for PM2.5 (µg/m³)"',
      "",
      'from "your-dataset" window last 7d',
      "",
      'mean(pm25) as "Mean PM2.5"',
      'count(pm25 > guideline) as "Readings above the guideline"',
      'share(pm25 > guideline) as "Share above the guideline"',
      'max(pm25) as "Worst reading"',
    ),
  },
  {
    id: "ventilation",
    title: "Ventilation (CO₂)",
    description: "How well a room was aired today: the CO₂ distribution, the share of time above the airing threshold and the mean.",
    tags: ["air quality", "co2", "building", "histogram", "daily"],
    example: CO2,
    source: lines(
      "# Indoor CO₂ over the last 24 hours.",
      'param stuffy = 1000 "CO₂ level above which a room needs airing (ppm)"',
      "",
      'from "your-dataset" window last 24h',
      "",
      'histogram(co2, [600, 800, 1000, 1400]) as "CO₂ distribution"',
      'share(co2 > stuffy) as "Time above the airing threshold"',
      'mean(co2) as "Mean CO₂"',
    ),
  },
  {
    id: "mould-risk",
    title: "Mould risk",
    description: "Share of the last 30 days the relative humidity stayed above the level where mould grows, with mean and highest humidity.",
    tags: ["humidity", "building", "monthly"],
    example: HUMIDITY,
    source: lines(
      "# Was it damp enough for mould over the last 30 days?",
      'param damp = 70 "Relative humidity above which mould can grow (%)"',
      "",
      'from "your-dataset" window last 30d',
      "",
      'share(humidity > damp) as "Time above the mould threshold"',
      'mean(humidity) as "Mean humidity"',
      'max(humidity) as "Highest humidity"',
    ),
  },
  {
    id: "flood-warning",
    title: "Flood warning",
    description: "Whether a river or tank level crossed its warning mark in the last 6 hours, with the highest and mean level.",
    tags: ["water", "alert", "level"],
    example: WATER_LEVEL,
    source: lines(
      "# Did the water cross the warning mark in the last 6 hours?",
      'param warning = 2.5 "Level that triggers a flood warning (m)"',
      "",
      'from "your-dataset" window last 6h',
      "",
      'alert(level > warning) as "Above the warning mark"',
      'max(level) as "Highest level"',
      'mean(level) as "Mean level"',
    ),
  },
  {
    id: "machine-vibration",
    title: "Machine vibration",
    description: "Vibration severity of a machine over the last 24 hours: mean, variability, and whether it reached the alarm zone.",
    tags: ["vibration", "machine", "maintenance", "alert", "daily"],
    example: VIBRATION,
    source: lines(
      "# Vibration velocity (ISO 10816 style zones) over the last 24 hours.",
      'param alarm = 7.1 "Velocity at which the machine needs attention (mm/s)"',
      "",
      'from "your-dataset" window last 24h',
      "",
      'mean(vibration) as "Mean vibration"',
      'stddev(vibration) as "Variability"',
      'alert(vibration >= alarm) as "Reached the alarm zone"',
      'count(vibration >= alarm) as "Readings in the alarm zone"',
    ),
  },
];
