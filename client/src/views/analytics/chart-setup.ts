/**
 * Chart.js with only the parts the analytics page draws (bars and lines on
 * category and linear scales), imported by ChartCanvas on demand so that the
 * library is a chunk of its own, loaded on that page alone. Chart.js draws on
 * a canvas and sizes it through the CSS object model, which the CSP's
 * `style-src 'self'` allows (no inline style attributes, no style elements).
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

export { Chart };
