/** Russian number formatting for the library pages: the portal's one formatter, made once per precision. */
export { fmtNumber as num } from '$lib/format';
