import { describe, expect, it } from 'vitest';
import { autoPick, lightOf, neededKbps, rateKbps, slowLink } from './quality';

const high = { id: 'web', height: 720, kbps: 1400 };
const light = { id: 'light', height: 480, kbps: 670 };

describe('quality «авто»', () => {
	it('slow or metered links pick the light rendition', () => {
		const need = neededKbps(high);
		expect(need).toBeCloseTo(1820);
		expect(slowLink({ saveData: true }, null, need)).toBe(true);
		expect(slowLink({ effectiveType: '3g' }, null, need)).toBe(true);
		expect(slowLink({ effectiveType: '4g', downlink: 1 }, null, need)).toBe(true);
		expect(slowLink({ effectiveType: '4g', downlink: 10 }, null, need)).toBe(false);
		// A measured rate wins over the browser's estimate.
		expect(slowLink({ effectiveType: '4g', downlink: 10 }, 1000, need)).toBe(true);
		expect(slowLink(null, 5000, need)).toBe(false);
		expect(slowLink(undefined, null, need)).toBe(false);
		// 1 Mbit/s: 256 KiB in ~2.1 s.
		expect(slowLink(null, rateKbps(262144, 2097), need)).toBe(true);
	});

	it('auto plays the default unless the link is slow; the light one is the lowest below the default', () => {
		expect(autoPick([high, light], false)).toBe(high);
		expect(autoPick([high, light], true)).toBe(light);
		expect(autoPick([high], true)).toBe(high);
		expect(lightOf([{ id: 'original', height: null }])).toBeUndefined();
		expect(lightOf([{ id: 'web', height: 1080 }, { id: 'light', height: 480 }, { id: 'x', height: 720 }])!.id).toBe('light');
	});
});
