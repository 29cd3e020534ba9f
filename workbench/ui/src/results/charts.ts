/** Chart.js with only the parts the workbench draws (bar and line charts), registered once. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend, Filler);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue("--font-sans") || "system-ui";
Chart.defaults.color = "#4b5563";
Chart.defaults.animation = false;

export { Chart };

/** The palette of series. */
export const SERIES_COLORS = ["#4f46e5", "#0d9488", "#d97706", "#db2777", "#2563eb", "#65a30d"];
