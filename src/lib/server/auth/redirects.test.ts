import { describe, expect, it } from 'vitest';
import { safeNext } from './redirects';

const O = 'https://konkurs.example.ru';

describe('safeNext', () => {
	it('keeps same-origin paths, query and hash, percent-encoded', () => {
		expect(safeNext('/cabinet', O)).toBe('/cabinet');
		expect(safeNext('/cabinet/settings?tab=1#pw', O)).toBe('/cabinet/settings?tab=1#pw');
		expect(safeNext('/library?q=наставник', O)).toBe('/library?q=%D0%BD%D0%B0%D1%81%D1%82%D0%B0%D0%B2%D0%BD%D0%B8%D0%BA');
		expect(safeNext('/。/x', O)).toBe('/%E3%80%82/x');
		expect(safeNext('/a/../admin', O)).toBe('/admin');
	});

	it('refuses everything that could leave the origin or break the Location header', () => {
		for (const bad of [
			'/\t/evil.example/steal',
			'/\n/x',
			'/\r/x',
			'//evil.example',
			'/\\evil.example',
			'/\\/evil.example',
			'https://evil.example/',
			'http://konkurs.example.ru@evil.example/',
			'javascript:alert(1)',
			'',
			'cabinet',
			'/' + 'a'.repeat(2000),
			'/\u0000x'
		])
			expect(safeNext(bad, O), JSON.stringify(bad)).toBeNull();
		expect(safeNext(null, O)).toBeNull();
		expect(safeNext(undefined, O)).toBeNull();
	});
});
