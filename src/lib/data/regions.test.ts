import { describe, expect, it } from 'vitest';
import {
	FEDERAL_DISTRICTS,
	REGIONS,
	REGION_CODES,
	districtOf,
	regionByCode,
	regionsByDistrict
} from './regions';

describe('regions', () => {
	it('contains all 89 federal subjects with unique codes and names', () => {
		expect(REGIONS).toHaveLength(89);
		expect(new Set(REGIONS.map((r) => r.code)).size).toBe(89);
		expect(new Set(REGIONS.map((r) => r.name)).size).toBe(89);
		for (const r of REGIONS) {
			expect(r.code).toMatch(/^\d{2}$/);
			expect(r.name.trim()).toBe(r.name);
		}
	});

	it('has 8 federal districts with unique codes', () => {
		expect(FEDERAL_DISTRICTS).toHaveLength(8);
		expect(new Set(FEDERAL_DISTRICTS.map((d) => d.code)).size).toBe(8);
		expect(FEDERAL_DISTRICTS.map((d) => d.code)).toEqual([
			'cfd',
			'szfd',
			'yufd',
			'skfd',
			'pfd',
			'ufd',
			'sfd',
			'dfd'
		]);
		const codes = new Set(FEDERAL_DISTRICTS.map((d) => d.code));
		for (const r of REGIONS) expect(codes.has(r.district), r.name).toBe(true);
	});

	it('has the current number of subjects in each district', () => {
		const counts = Object.fromEntries(regionsByDistrict().map((g) => [g.district.short, g.regions.length]));
		expect(counts).toEqual({
			ЦФО: 18,
			СЗФО: 11,
			ЮФО: 12,
			СКФО: 7,
			ПФО: 14,
			УФО: 6,
			СФО: 10,
			ДФО: 11
		});
		for (const g of regionsByDistrict()) expect(g.regions.length).toBeGreaterThan(0);
	});

	it('places subjects with changed membership in the right districts', () => {
		const expectDistrict = (code: string, district: string) =>
			expect(districtOf(code)?.code, regionByCode(code)?.name).toBe(district);
		expectDistrict('86', 'ufd'); // ХМАО — Югра
		expectDistrict('89', 'ufd'); // ЯНАО
		expectDistrict('03', 'dfd'); // Бурятия
		expectDistrict('75', 'dfd'); // Забайкальский край
		expectDistrict('91', 'yufd'); // Крым
		expectDistrict('92', 'yufd'); // Севастополь
		expectDistrict('93', 'yufd'); // ДНР
		expectDistrict('94', 'yufd'); // ЛНР
		expectDistrict('90', 'yufd'); // Запорожская
		expectDistrict('95', 'yufd'); // Херсонская
		expectDistrict('83', 'szfd'); // НАО
		expectDistrict('26', 'skfd'); // Ставропольский край
	});

	it('looks up regions by code', () => {
		expect(regionByCode('77')?.name).toBe('г. Москва');
		expect(regionByCode('50')?.name).toBe('Московская область');
		expect(regionByCode('16')?.name).toBe('Республика Татарстан');
		expect(regionByCode('78')?.name).toBe('г. Санкт-Петербург');
		expect(regionByCode('1')?.name).toBe('Республика Адыгея');
		expect(regionByCode('00')).toBeUndefined();
		expect(regionByCode('xx')).toBeUndefined();
		expect(districtOf('77')?.short).toBe('ЦФО');
		expect(districtOf('999')).toBeUndefined();
	});

	it('is sorted by name in Russian collation', () => {
		const collator = new Intl.Collator('ru');
		const names = REGIONS.map((r) => r.name);
		expect(names).toEqual([...names].sort(collator.compare));
		expect(names[0]).toBe('Алтайский край');
	});

	it('exports REGION_CODES matching REGIONS', () => {
		expect(REGION_CODES).toHaveLength(89);
		expect(new Set(REGION_CODES)).toEqual(new Set(REGIONS.map((r) => r.code)));
	});

	it('regionsByDistrict covers every region exactly once', () => {
		const all = regionsByDistrict().flatMap((g) => g.regions.map((r) => r.code));
		expect(all).toHaveLength(89);
		expect(new Set(all).size).toBe(89);
	});
});
