import { z } from 'zod';

/**
 * Names of sites and pools. They become parts of stack names and construct IDs, so they are
 * restricted to what is safe and stable there: lower-case letters, digits and hyphens.
 */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;

export const resourceName = z
  .string()
  .regex(NAME_PATTERN, { message: 'a name of 2-24 lower-case letters, digits or hyphens, starting with a letter' });

/** `cr-` and 17 hexadecimal digits: the form of every EC2 Capacity Reservation ID, Capacity Blocks included. */
export const RESERVATION_ID_PATTERN = /^cr-[0-9a-f]{17}$/;

export const reservationId = z
  .string()
  .regex(RESERVATION_ID_PATTERN, { message: 'a Capacity Reservation ID: "cr-" and 17 hexadecimal digits' });

export const positiveInt = z.number().int().min(1);
