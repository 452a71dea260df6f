"""A small API for the proxy's unit tests: a list with x-mock rules, an item, a create, a file that redirects."""

from __future__ import annotations

from pathlib import Path

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec

SPEC = """
openapi: 3.1.0
info: {title: Things, version: "1"}
servers: [{url: "https://things.example/v1"}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Thing:
      type: object
      required: [id, name]
      properties: {id: {type: integer}, name: {type: string}}
security: [{bearer: []}]
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50}}
        - {name: kind, in: query, schema: {type: string}}
      x-mock:
        filter: {"data[].kind": query.kind}
        limit: {param: query.limit, array: data}
      responses:
        "200":
          description: the things
          headers:
            X-Total: {schema: {type: integer}}
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data:
                    type: array
                    items: {type: object, properties: {id: {type: integer}, kind: {type: string}}}
        "401":
          description: no credentials
          content:
            application/json:
              schema: {type: object, required: [error], properties: {error: {type: string}}}
    post:
      operationId: createThing
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
      responses:
        "201":
          description: made
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
        "400": {description: bad}
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: one thing
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
        "404": {description: none}
  /files/{name}:
    get:
      operationId: getFile
      security: []
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: a file
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
        "302":
          description: elsewhere
          headers: {Location: {schema: {type: string}}}
    put:
      operationId: putFile
      security: []
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content: {application/octet-stream: {schema: {type: string, format: binary}}}
      responses:
        "200":
          description: stored
          content:
            application/json:
              schema: {type: object, required: [size], properties: {size: {type: integer}}}
"""


def things_api(folder: Path, name: str = "things") -> ApiSpec:
    path = folder / f"{name}.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return load(path)
