/**
 * Open data of the library: the whole library as CSV (the import's columns, so it can be
 * re-imported elsewhere), the Atom feed of new practices, the sitemap and robots.txt, and the
 * JSON shape of a practice for /api/practices. Only published practices; contacts only with the
 * author's consent.
 */
import { desc, eq, inArray } from 'drizzle-orm';
import Papa from 'papaparse';
import type { DbOrTx } from '../db/client';
import { practices, type Practice } from '../db/schema';
import { districtOf, regionByCode } from '../../data/regions';
import { PRACTICE_KEYS, SPHERE_TITLE, practiceToRaw } from '../../schemas/library';
import { segmentsToHtml } from './text';
import type { SearchItem } from './search';
import { xmlEscape } from './poster';

/** A spreadsheet must not run a cell as a formula: such cells get a leading apostrophe. */
export function csvSafe(v: string): string {
	return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export const CSV_EXTRA = ['url', 'region_name', 'district', 'published_at'] as const;

function publishedRows(db: DbOrTx): Practice[] {
	return db.select().from(practices).where(eq(practices.status, 'published')).orderBy(desc(practices.publishedAt)).all();
}

/** The whole library as CSV (UTF-8 with BOM for Excel). */
export function libraryCsv(db: DbOrTx, origin: string): string {
	const header = [...PRACTICE_KEYS, ...CSV_EXTRA];
	const rows = publishedRows(db).map((p) => {
		const raw = practiceToRaw(p);
		if (!p.contactsConsent) {
			raw.contacts = '';
			raw.contacts_consent = '';
		}
		raw.url = `${origin}/library/${p.slug}`;
		raw.region_name = p.regionCode ? (regionByCode(p.regionCode)?.name ?? '') : '';
		raw.district = p.regionCode ? (districtOf(p.regionCode)?.name ?? '') : '';
		raw.published_at = p.publishedAt?.toISOString() ?? '';
		return header.map((k) => csvSafe(raw[k] ?? ''));
	});
	return '\uFEFF' + Papa.unparse({ fields: header, data: rows }, { newline: '\r\n' });
}

/** Atom 1.0 feed of the newest published practices. */
export function libraryAtom(db: DbOrTx, origin: string, limit = 50): string {
	const rows = db.select().from(practices).where(eq(practices.status, 'published')).orderBy(desc(practices.publishedAt)).limit(limit).all();
	const updated = (rows[0]?.updatedAt ?? new Date(0)).toISOString();
	const entries = rows
		.map((p) => {
			const url = `${origin}/library/${p.slug}`;
			const region = p.regionCode ? (regionByCode(p.regionCode)?.name ?? '') : '';
			return `  <entry>
    <id>${xmlEscape(url)}</id>
    <title>${xmlEscape(p.title)}</title>
    <link rel="alternate" type="text/html" href="${xmlEscape(url)}"/>
    <published>${(p.publishedAt ?? p.createdAt).toISOString()}</published>
    <updated>${p.updatedAt.toISOString()}</updated>
    <author><name>${xmlEscape(p.organization || 'Конкурс «Наставничество»')}</name></author>
    ${p.sphere ? `<category term="${xmlEscape(p.sphere)}" label="${xmlEscape(SPHERE_TITLE[p.sphere] ?? p.sphere)}"/>` : ''}
    <summary type="text">${xmlEscape([p.summary, region && `Регион: ${region}`].filter(Boolean).join(' '))}</summary>
  </entry>`;
		})
		.join('\n');
	return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">
  <id>${xmlEscape(origin)}/library</id>
  <title>Библиотека лучших практик наставничества</title>
  <subtitle>Новые практики победителей конкурса «Наставничество» и других программ</subtitle>
  <link rel="self" type="application/atom+xml" href="${xmlEscape(origin)}/library/feed.xml"/>
  <link rel="alternate" type="text/html" href="${xmlEscape(origin)}/library"/>
  <updated>${updated}</updated>
${entries}
</feed>
`;
}

/** sitemap.xml: the public pages and every published practice. */
export function sitemapXml(db: DbOrTx, origin: string, pages: string[]): string {
	const rows = db.select({ slug: practices.slug, updatedAt: practices.updatedAt }).from(practices).where(eq(practices.status, 'published')).orderBy(desc(practices.publishedAt)).all();
	const urls = [
		...pages.map((p) => `  <url><loc>${xmlEscape(origin + p)}</loc></url>`),
		...rows.map((r) => `  <url><loc>${xmlEscape(`${origin}/library/${r.slug}`)}</loc><lastmod>${r.updatedAt.toISOString().slice(0, 10)}</lastmod></url>`)
	];
	return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`;
}

export function robotsTxt(origin: string): string {
	return ['User-agent: *', 'Disallow: /cabinet', 'Disallow: /jury', 'Disallow: /admin', 'Disallow: /api', 'Allow: /api/practices', '', `Sitemap: ${origin}/sitemap.xml`, ''].join('\n');
}

/** A practice as the JSON API gives it. */
export function practiceJson(p: Practice, origin: string) {
	const region = p.regionCode ? regionByCode(p.regionCode) : undefined;
	const district = p.regionCode ? districtOf(p.regionCode) : undefined;
	return {
		slug: p.slug,
		url: `${origin}/library/${p.slug}`,
		title: p.title,
		summary: p.summary,
		problem: p.problem,
		actions: p.actions,
		team: p.team,
		results: p.results,
		region: region ? { code: region.code, name: region.name } : null,
		district: district ? { code: district.code, name: district.name } : null,
		municipality: p.municipality,
		organization: p.organization,
		sphere: p.sphere ? { code: p.sphere, title: SPHERE_TITLE[p.sphere] ?? p.sphere } : null,
		nomination: p.nominationTitle,
		year: p.year,
		since: p.since,
		source: p.source,
		tags: p.tags,
		contacts: p.contactsConsent ? p.contacts : null,
		publishedAt: p.publishedAt?.toISOString() ?? null,
		updatedAt: p.updatedAt.toISOString()
	};
}

/** A search hit as the JSON API gives it (the snippet with `<mark>`, HTML-escaped). */
export function itemJson(i: SearchItem, origin: string) {
	return {
		slug: i.slug,
		url: `${origin}/library/${i.slug}`,
		title: i.title,
		titleHighlighted: segmentsToHtml(i.titleSegments),
		summary: i.summary,
		snippet: segmentsToHtml(i.snippet),
		region: i.regionCode ? { code: i.regionCode, name: i.regionName } : null,
		district: i.district || null,
		municipality: i.municipality,
		organization: i.organization,
		sphere: i.sphere ? { code: i.sphere, title: i.sphereTitle } : null,
		nomination: i.nominationTitle,
		year: i.year,
		source: i.source,
		tags: i.tags,
		mainResult: i.mainResult,
		hasVideo: i.hasVideo,
		publishedAt: i.publishedAt ? new Date(i.publishedAt).toISOString() : null
	};
}

export function practicesByIds(db: DbOrTx, ids: string[]) {
	return ids.length ? db.select().from(practices).where(inArray(practices.id, ids)).all() : [];
}
