/**
 * @jobservice/dashboard: a web dashboard over any jobservice store, mounted
 * as one request handler in your own server or run standalone.
 */
export { createDashboard, normalizeBasePath } from './create-dashboard.js';
export type { Dashboard, DashboardAction, DashboardOptions } from './options.js';
export type { ServeDashboardOptions, ServedDashboard } from './serve-dashboard.js';
export { serveDashboard } from './serve-dashboard.js';
export { CSRF_HEADER } from './server/csrf.js';
