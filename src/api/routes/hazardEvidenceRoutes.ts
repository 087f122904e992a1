import Type from 'typebox';
import { createReadStream } from 'node:fs';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { actorOf } from '../actor.ts';
import { IdParams } from '../schemas.ts';
import { EvidenceSchema } from '../hazardSchemas.ts';
import { GatehouseError } from '../../core/errors.ts';
import { IMAGE_EXTENSIONS } from '../../core/imageType.ts';

/** Room for the multipart envelope (boundaries, part headers) around the photo itself. */
const ENVELOPE_BYTES = 16 * 1024;

/** Evidence photos on a hazard: upload (multipart, one file) and download. */
export async function hazardEvidenceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const maxBytes = deps.config.hazards.evidenceMaxBytes;
  // Registered in this plugin's scope only: no other route accepts multipart bodies.
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 4, fieldSize: 1024, parts: 5 } });
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/hazards/:id/evidence',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['hazards'],
        summary: 'Attach a photo (JPEG, PNG or WebP; multipart/form-data, one file part) to a hazard that is not closed',
        description: `The type is read from the file's bytes, not its name or declared type. Larger than hazards.evidenceMaxBytes (${maxBytes} bytes here): 413.`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: EvidenceSchema },
      },
    },
    async (request, reply) => {
      // Refuse an obviously oversized upload before reading it.
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > maxBytes + ENVELOPE_BYTES) throw new GatehouseError('GH_EVIDENCE_TOO_LARGE', `${declared} bytes sent; the limit is ${maxBytes}`);
      if (!request.isMultipart()) throw new GatehouseError('GH_EVIDENCE_MISSING', `content-type is ${request.headers['content-type'] ?? 'missing'}`);
      const part = await request.file();
      if (!part) throw new GatehouseError('GH_EVIDENCE_MISSING');
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch (err) {
        if (err instanceof app.multipartErrors.RequestFileTooLargeError) throw new GatehouseError('GH_EVIDENCE_TOO_LARGE', `the limit is ${maxBytes} bytes`);
        throw err;
      }
      const evidence = await deps.hazards.addEvidence(request.params.id, bytes, actorOf(request), deps.clock.now());
      request.log.info({ hazardId: request.params.id, evidenceId: evidence.id, size: evidence.size, mime: evidence.mime }, 'hazard evidence stored');
      return reply.code(201).send(evidence);
    },
  );

  r.get(
    '/api/v1/hazards/:id/evidence/:evidenceId',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['hazards'],
        summary: 'The photo, with the content type found when it was uploaded',
        params: Type.Intersect([IdParams, Type.Object({ evidenceId: Type.String({ minLength: 1, maxLength: 64 }) })]),
      },
    },
    async (request, reply) => {
      const file = deps.hazards.evidenceFile(request.params.id, request.params.evidenceId);
      return reply
        .type(file.mime)
        .header('content-length', file.size)
        .header('x-content-type-options', 'nosniff')
        .header('etag', `"${file.sha256}"`)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('content-disposition', `inline; filename="${request.params.evidenceId}.${IMAGE_EXTENSIONS[file.mime] ?? 'bin'}"`)
        .send(createReadStream(file.path));
    },
  );
}
