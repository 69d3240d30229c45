import * as z from 'zod';
import { imageText, parseImage } from '../../shared/change-image.js';

/** What the imports function reads of a job's bus image: which job to run (the job is re-read). */
const ImportJobImageSchema = z.looseObject({ id: imageText });

export const importJobImage = (image: unknown): { id: string } =>
  parseImage(ImportJobImageSchema, 'ImportJob', image);
