/** Actors for domain tests: who does something and from which address (see src/lib/server/actor.ts). */
import type { Actor } from '../../src/lib/server/actor';

export const TEST_IP = '127.0.0.1';
export const asJury = (id: string): Actor => ({ id, role: 'jury', ip: TEST_IP });
export const asOrganizer = (id = 'org'): Actor => ({ id, role: 'organizer', ip: TEST_IP });
