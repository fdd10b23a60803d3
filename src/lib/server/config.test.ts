import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from './config';

describe('config', () => {
	it('has working defaults: embedded S3 and demo data', () => {
		const c = parseConfig({});
		expect(c.PORT).toBe(3000);
		expect(c.embeddedS3).toBe(true);
		expect(c.demo).toBe(true);
		expect(c.secureCookies).toBe(false);
	});
	it('names the bad variable', () => {
		expect(() => parseConfig({ PORT: 'abc' })).toThrow(/PORT/);
		expect(() => parseConfig({ S3_ENDPOINT: 'not a url' })).toThrow(/S3_ENDPOINT/);
		expect(() => parseConfig({ SMTP_URL: 'http://x' })).toThrow(/SMTP_URL/);
		expect(() => parseConfig({ DEMO: 'maybe' })).toThrow(ConfigError);
	});
	it('never seeds demo accounts in production or with a real S3', () => {
		expect(parseConfig({ NODE_ENV: 'production' }).demo).toBe(false);
		expect(parseConfig({ S3_ENDPOINT: 'https://storage.yandexcloud.net', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b' }).demo).toBe(false);
		expect(parseConfig({ DEMO: 'false' }).demo).toBe(false);
		expect(() => parseConfig({ NODE_ENV: 'production', DEMO: 'true' })).toThrow(/DEMO/);
		expect(() => parseConfig({ S3_ENDPOINT: 'https://s3.example.ru' })).toThrow(/S3_ACCESS_KEY_ID/);
		expect(parseConfig({ NODE_ENV: 'production' }).secureCookies).toBe(true);
	});
});
