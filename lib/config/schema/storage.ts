import { z } from 'zod';

export const storageSchema = z.strictObject({});

export type StorageConfig = z.output<typeof storageSchema>;
