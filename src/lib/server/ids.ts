import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';

/** A random identifier: 120 bits, lower-case base32 (24 chars). */
export function newId(): string {
	return encodeBase32LowerCaseNoPadding(randomBytes(15));
}

/** A random secret: 160 bits, lower-case base32 (32 chars). */
export function newSecret(): string {
	return encodeBase32LowerCaseNoPadding(randomBytes(20));
}
