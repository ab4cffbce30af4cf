// The Fastify conformance app: routes whose schemas `@fastify/swagger` turns into the OpenAPI
// document, each answering with what it received (fields set, explicit nulls, raw path and
// query, headers, cookies, file digests) so the Rust client test
// (`tests/conformance/fastify_client.rs`) can assert on it.
//
// `node app.js spec` prints the document (`app.swagger()` after `ready()`);
// `node app.js serve PORT` serves the app on 127.0.0.1:PORT. Its npm packages are pinned in
// `xtask/src/conformance.rs` and found through `NODE_PATH`.
'use strict'

const crypto = require('node:crypto')
const Fastify = require('fastify')
const multipart = require('@fastify/multipart')

async function build () {
  const app = Fastify({
    ajv: {
      customOptions: { discriminator: true, formats: { binary: true } }
    }
  })
  // Awaited: `@fastify/swagger` only sees routes registered after it.
  await app.register(require('@fastify/swagger'), {
    openapi: {
      info: { title: 'Fastify conformance', version: '1.0.0' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' }
        }
      }
    }
  })
  app.register(require('@fastify/formbody'))
  // Fields arrive as plain values; each file is read here and stands in the body as a JSON
  // string of its digest, so the route's documented `type: string, format: binary` validates.
  app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    async onFile (part) {
      const bytes = await part.toBuffer()
      part.value = JSON.stringify({
        filename: part.filename,
        contentType: part.mimetype,
        size: bytes.length,
        sha256: crypto.createHash('sha256').update(bytes).digest('hex')
      })
    }
  })

  app.addSchema({ $id: 'Color', type: 'string', enum: ['red', 'green', 'dark-blue'] })
  app.addSchema({
    $id: 'Cat',
    type: 'object',
    required: ['petType', 'name'],
    properties: { petType: { type: 'string', enum: ['cat'] }, name: { type: 'string' }, lives: { type: 'integer' } }
  })
  app.addSchema({
    $id: 'Dog',
    type: 'object',
    required: ['petType', 'name'],
    properties: { petType: { type: 'string', enum: ['dog'] }, name: { type: 'string' }, good: { type: 'boolean' } }
  })
  app.addSchema({
    $id: 'TreeNode',
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: 'TreeNode#' } } }
  })
  app.addSchema({
    $id: 'Widget',
    type: 'object',
    required: ['id', 'name', 'color'],
    properties: { id: { type: 'integer' }, name: { type: 'string' }, color: { $ref: 'Color#' } }
  })
  app.addSchema({
    $id: 'NotFound',
    type: 'object',
    required: ['message', 'widgetId'],
    properties: { message: { type: 'string' }, widgetId: { type: 'integer' } }
  })
  app.addSchema({
    $id: 'Echo',
    type: 'object',
    required: ['url', 'query'],
    properties: { url: { type: 'string' }, query: { type: 'object', additionalProperties: true } }
  })
  app.addSchema({
    $id: 'Tick',
    type: 'object',
    required: ['n', 'label'],
    properties: { n: { type: 'integer' }, label: { type: 'string' } }
  })

  const report = { type: 'object', additionalProperties: true }

  // Security: a bearer token and an API key, required together (one requirement object).
  app.get('/secure/whoami', {
    schema: {
      operationId: 'whoami',
      security: [{ bearerAuth: [], apiKey: [] }],
      response: {
        200: { type: 'object', required: ['token', 'apiKey'], properties: { token: { type: 'string' }, apiKey: { type: 'string' } } },
        401: { type: 'object', properties: { message: { type: 'string' } } }
      }
    }
  }, async (request, reply) => {
    const auth = request.headers.authorization || ''
    const key = request.headers['x-api-key']
    if (!auth.startsWith('Bearer ') || !key) return reply.code(401).send({ message: 'both credentials are needed' })
    return { token: auth.slice('Bearer '.length), apiKey: key }
  })

  // PATCH: nullable optional fields; the server tells set fields and explicit nulls apart.
  app.patch('/items/:itemId', {
    schema: {
      operationId: 'patchItem',
      params: { type: 'object', required: ['itemId'], properties: { itemId: { type: 'integer' } } },
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: { type: ['string', 'null'] },
          tags: { type: ['array', 'null'], items: { type: 'string' } },
          color: { anyOf: [{ $ref: 'Color#' }, { type: 'null' }] },
          note: { type: ['string', 'null'] }
        }
      },
      response: {
        200: {
          type: 'object',
          required: ['itemId', 'fieldsSet', 'nulls'],
          properties: {
            itemId: { type: 'integer' },
            fieldsSet: { type: 'array', items: { type: 'string' } },
            nulls: { type: 'array', items: { type: 'string' } },
            values: report
          }
        }
      }
    }
  }, async (request) => {
    const keys = Object.keys(request.body).sort()
    return {
      itemId: request.params.itemId,
      fieldsSet: keys,
      nulls: keys.filter((k) => request.body[k] === null),
      values: request.body
    }
  })

  // Path enum, a query list of a shared enum, the raw URL.
  app.get('/colors/:color', {
    schema: {
      operationId: 'getColor',
      params: { type: 'object', required: ['color'], properties: { color: { $ref: 'Color#' } } },
      querystring: {
        type: 'object',
        properties: { also: { type: 'array', items: { $ref: 'Color#' } }, limit: { type: 'integer', minimum: 1 } }
      },
      response: { 200: { $ref: 'Echo#' } }
    }
  }, async (request) => ({ url: request.raw.url, query: request.query }))

  app.get('/files/:name', {
    schema: {
      operationId: 'getFile',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      querystring: {
        type: 'object',
        properties: { q: { type: 'string' }, tag: { type: 'array', items: { type: 'string' } }, exact: { type: 'boolean' } }
      },
      response: { 200: { $ref: 'Echo#' } }
    }
  }, async (request) => ({ url: request.raw.url, query: { ...request.query, name: request.params.name } }))

  // A discriminated union of shared schemas.
  app.post('/pets', {
    schema: {
      operationId: 'createPet',
      body: { type: 'object', discriminator: { propertyName: 'petType' }, oneOf: [{ $ref: 'Cat#' }, { $ref: 'Dog#' }] },
      response: { 200: { type: 'object', required: ['received'], properties: { received: report } } }
    }
  }, async (request) => ({ received: request.body }))

  // Recursive models.
  app.post('/trees', {
    schema: {
      operationId: 'createTree',
      body: { $ref: 'TreeNode#' },
      response: {
        200: {
          type: 'object',
          required: ['nodes', 'depth', 'tree'],
          properties: { nodes: { type: 'integer' }, depth: { type: 'integer' }, tree: { $ref: 'TreeNode#' } }
        }
      }
    }
  }, async (request) => {
    const measure = (node) => {
      const counts = (node.children || []).map(measure)
      return [1 + counts.reduce((a, c) => a + c[0], 0), 1 + Math.max(0, ...counts.map((c) => c[1]))]
    }
    const [nodes, depth] = measure(request.body)
    return { nodes, depth, tree: request.body }
  })

  // Headers and cookies (Fastify does not validate `cookies`; `@fastify/swagger` documents it).
  app.get('/headers', {
    schema: {
      operationId: 'readHeaders',
      headers: {
        type: 'object',
        required: ['x-trace-id'],
        properties: { 'x-trace-id': { type: 'string' }, 'x-retry-count': { type: 'integer' } }
      },
      response: { 200: report }
    }
  }, async (request) => ({
    traceId: request.headers['x-trace-id'],
    retryCount: request.headers['x-retry-count'] === undefined ? null : Number(request.headers['x-retry-count'])
  }))

  app.get('/cookies', {
    schema: {
      operationId: 'readCookies',
      cookies: {
        type: 'object',
        required: ['session'],
        properties: { session: { type: 'string' }, theme: { type: 'string' } }
      },
      response: { 200: report }
    }
  }, async (request) => {
    const cookies = {}
    for (const pair of (request.headers.cookie || '').split(';')) {
      const at = pair.indexOf('=')
      if (at > 0) cookies[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim())
    }
    return { cookies, raw: request.headers.cookie || null }
  })

  // Forms and multipart uploads.
  app.post('/login', {
    schema: {
      operationId: 'login',
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        required: ['username', 'password'],
        properties: { username: { type: 'string' }, password: { type: 'string' }, remember: { type: 'boolean' } }
      },
      response: { 200: report }
    }
  }, async (request) => ({ received: request.body }))

  app.post('/uploads', {
    schema: {
      operationId: 'upload',
      consumes: ['multipart/form-data'],
      body: {
        type: 'object',
        required: ['description', 'file'],
        properties: { description: { type: 'string' }, file: { type: 'string', format: 'binary' } }
      },
      response: { 200: report }
    }
  }, async (request) => ({ description: request.body.description, ...JSON.parse(request.body.file) }))

  // Binary and text responses.
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')
  app.get('/image', {
    schema: {
      operationId: 'image',
      produces: ['image/png'],
      response: { 200: { type: 'string', format: 'binary' } }
    }
  }, async (request, reply) => reply.type('image/png').send(png))

  app.get('/readme', {
    schema: {
      operationId: 'readme',
      produces: ['text/plain'],
      querystring: { type: 'object', properties: { lines: { type: 'integer' } } },
      response: { 200: { type: 'string' } }
    }
  }, async (request, reply) => {
    const lines = request.query.lines || 2
    return reply.type('text/plain').send(Array.from({ length: lines }, (_, i) => `line ${i + 1}`).join('\n'))
  })

  // 201, 204 and typed 4xx.
  const widgets = new Map()
  app.post('/widgets', {
    schema: {
      operationId: 'createWidget',
      body: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 }, color: { $ref: 'Color#' } }
      },
      response: {
        201: { $ref: 'Widget#' },
        400: {
          type: 'object',
          required: ['statusCode', 'message'],
          properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, error: { type: 'string' }, message: { type: 'string' } }
        }
      }
    }
  }, async (request, reply) => {
    const widget = { id: widgets.size + 1, name: request.body.name, color: request.body.color || 'red' }
    widgets.set(widget.id, widget)
    return reply.code(201).send(widget)
  })

  const widgetId = { type: 'object', required: ['widgetId'], properties: { widgetId: { type: 'integer' } } }
  app.get('/widgets/:widgetId', {
    schema: { operationId: 'getWidget', params: widgetId, response: { 200: { $ref: 'Widget#' }, 404: { $ref: 'NotFound#' } } }
  }, async (request, reply) => {
    const widget = widgets.get(request.params.widgetId)
    if (!widget) return reply.code(404).send({ message: 'no such widget', widgetId: request.params.widgetId })
    return widget
  })

  app.delete('/widgets/:widgetId', {
    schema: {
      operationId: 'deleteWidget',
      params: widgetId,
      response: { 204: { type: 'null', description: 'Deleted' }, 404: { $ref: 'NotFound#' } }
    }
  }, async (request, reply) => {
    if (!widgets.delete(request.params.widgetId)) {
      return reply.code(404).send({ message: 'no such widget', widgetId: request.params.widgetId })
    }
    return reply.code(204).send()
  })

  // 429 with `Retry-After`: the first call for a key is refused, the next one answers.
  const attempts = new Map()
  app.get('/limited/:key', {
    schema: {
      operationId: 'limited',
      params: { type: 'object', required: ['key'], properties: { key: { type: 'string' } } },
      response: {
        200: { type: 'object', required: ['key', 'attempts'], properties: { key: { type: 'string' }, attempts: { type: 'integer' } } },
        429: { type: 'object', properties: { message: { type: 'string' } } }
      }
    }
  }, async (request, reply) => {
    const key = request.params.key
    attempts.set(key, (attempts.get(key) || 0) + 1)
    if (attempts.get(key) === 1) return reply.code(429).header('retry-after', '1').send({ message: 'slow down' })
    return { key, attempts: attempts.get(key) }
  })

  // Server-sent events, declared per media type.
  app.get('/ticks', {
    schema: {
      operationId: 'ticks',
      querystring: { type: 'object', properties: { count: { type: 'integer' } } },
      response: { 200: { description: 'Ticks', content: { 'text/event-stream': { schema: { $ref: 'Tick#' } } } } }
    }
  }, async (request, reply) => {
    const count = request.query.count ?? 3
    let body = ''
    for (let n = 0; n < count; n++) body += `event: tick\nid: ${n}\ndata: ${JSON.stringify({ n, label: `tick ${n}` })}\n\n`
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' })
    reply.raw.end(body)
    return reply
  })

  return app
}

async function main () {
  const [command, port] = process.argv.slice(2)
  const app = await build()
  if (command === 'spec') {
    await app.ready()
    process.stdout.write(JSON.stringify(app.swagger(), null, 2) + '\n')
  } else if (command === 'serve' && port) {
    await app.listen({ host: '127.0.0.1', port: Number(port) })
  } else {
    console.error('usage: app.js spec | app.js serve PORT')
    process.exit(2)
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
