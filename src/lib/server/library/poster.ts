/**
 * A generated poster of a practice (SVG, 1200×630 — the OpenGraph size): the sphere's colour,
 * the title, the region and the year. Used when a practice has no poster image of its own.
 * Every text is XML-escaped.
 */
const PALETTE: Record<string, [string, string]> = {
	production: ['#1d4e89', '#3f7cc4'],
	education: ['#2f6b3a', '#5aa469'],
	health: ['#0f6e76', '#3aa6ae'],
	social: ['#7a3e8e', '#b06fc4'],
	municipal: ['#8a3b12', '#c8692f'],
	housing: ['#5b4a1f', '#a88a3c'],
	transport: ['#263a73', '#5a73c4'],
	public_spaces: ['#2d6a4f', '#52b788'],
	waste: ['#3d5a3d', '#7fa67f'],
	youth: ['#b0306a', '#e2679f'],
	investment: ['#3b3b6d', '#7373b8'],
	culture: ['#7d2a2a', '#c45b5b'],
	sport: ['#11557c', '#3f98c9']
};

export function xmlEscape(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** Greedy word wrap into at most `maxLines` lines of about `width` characters. */
export function wrap(text: string, width: number, maxLines: number): string[] {
	const lines: string[] = [];
	let cur = '';
	const ws = text.split(/\s+/).filter(Boolean);
	for (let i = 0; i < ws.length; i++) {
		const w = ws[i];
		if (!cur) cur = w;
		else if ((cur + ' ' + w).length <= width) cur += ' ' + w;
		else {
			lines.push(cur);
			cur = w;
			if (lines.length === maxLines) {
				cur = '';
				lines[maxLines - 1] = lines[maxLines - 1].replace(/[,.;:—-]*$/, '') + '…';
				break;
			}
		}
	}
	if (cur && lines.length < maxLines) lines.push(cur);
	return lines.map((l) => (l.length > width + 8 ? l.slice(0, width + 6) + '…' : l));
}

export function posterSvg(p: { title: string; sphere: string | null; sphereTitle: string; place: string; year: number | null }): string {
	const [c1, c2] = PALETTE[p.sphere ?? ''] ?? ['#1d4e89', '#3f7cc4'];
	const lines = wrap(p.title, 30, 4);
	const size = lines.length > 3 ? 54 : 60;
	const top = 250 - (lines.length - 1) * size * 0.55;
	const title = lines.map((l, i) => `<text x="80" y="${Math.round(top + i * size * 1.18)}" font-size="${size}" font-weight="700" fill="#fff">${xmlEscape(l)}</text>`).join('');
	const meta = [p.place, p.year ? String(p.year) : ''].filter(Boolean).join(' · ');
	return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630" role="img" aria-label="${xmlEscape(p.title)}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${c1}"/><stop offset="1" stop-color="${c2}"/></linearGradient></defs>
<rect width="1200" height="630" fill="url(#g)"/>
<circle cx="1080" cy="110" r="190" fill="#fff" fill-opacity="0.08"/><circle cx="1130" cy="560" r="120" fill="#fff" fill-opacity="0.06"/>
<g font-family="'PT Sans', 'Segoe UI', Roboto, Arial, sans-serif">
<text x="80" y="96" font-size="30" font-weight="600" fill="#fff" fill-opacity="0.85">${xmlEscape(p.sphereTitle || 'Библиотека лучших практик')}</text>
${title}
<text x="80" y="560" font-size="30" fill="#fff" fill-opacity="0.9">${xmlEscape(meta)}</text>
<text x="1120" y="560" font-size="26" text-anchor="end" fill="#fff" fill-opacity="0.75">Наставничество</text>
</g>
</svg>`;
}
