import { buildSchema, getOperationAST, parse } from 'graphql';
import { readAnswer } from '../src/plugins/response-cache/answer.js';
import { supergraphIdentity } from '../src/plugins/response-cache/plugin.js';

/**
 * What the response cache reads from an answer against the client's own
 * document (no selections added): the entities to invalidate it for, its
 * types, and whether it may be stored at all.
 */
const SUPERGRAPH = /* GraphQL */ `
  directive @join__type(graph: String!, key: String) repeatable on OBJECT | INTERFACE
  type Query {
    containers: [Container!]!
    animals: [Animal!]!
    book(upc: ID!): Book
    shelf: Shelf
    lonely: Lonely
  }
  interface Lonely @join__type(graph: "a", key: "id") {
    id: ID!
    note: String
  }
  type Shelf @join__type(graph: "a", key: "code") {
    code: String!
  }
  type Container @join__type(graph: "a") {
    book: Book
    note: Note
  }
  type Book @join__type(graph: "a", key: "upc") @join__type(graph: "b", key: "id") {
    id: ID!
    upc: ID!
    title: String
  }
  type Note @join__type(graph: "a") {
    id: ID!
    text: String
  }
  interface Animal @join__type(graph: "a", key: "id") {
    id: ID!
    name: String
  }
  type Cat implements Animal @join__type(graph: "a", key: "id") {
    id: ID!
    name: String
    lives: Int
  }
  type Dog implements Animal @join__type(graph: "a", key: "id") {
    id: ID!
    name: String
    breed: String
  }
`;
const schema = buildSchema(SUPERGRAPH);

function read(query: string, data: Record<string, unknown>) {
  const document = parse(query);
  return readAnswer(schema, getOperationAST(document)!, document, data);
}

describe('reading an answer for the response cache', () => {
  it('records each entity with the id the client selected, under an alias too', () => {
    const contents = read(`{ containers { book { key: id title } } }`, {
      containers: [{ book: { key: '1', title: 'A' } }, { book: { key: '2', title: 'B' } }],
    });
    expect(contents.refusal).toBeUndefined();
    expect(contents.entities).toEqual([
      { typename: 'Book', id: '1' },
      { typename: 'Book', id: '2' },
    ]);
    expect([...contents.types].sort()).toEqual(['Book', 'Container', 'Query']);
  });

  it('records an entity whose id the client did not select by its type alone', () => {
    const contents = read(`{ containers { book { title } } }`, { containers: [{ book: { title: 'A' } }] });
    expect(contents.entities).toEqual([{ typename: 'Book' }]);
  });

  it('records an entity keyed by other fields than id by its type alone', () => {
    expect(read(`{ shelf { code } }`, { shelf: { code: 'A1' } }).entities).toEqual([{ typename: 'Shelf' }]);
  });

  it('takes the type from __typename on an abstract field, whatever its alias', () => {
    const contents = read(`{ animals { kind: __typename id ... on Cat { lives } } }`, {
      animals: [
        { kind: 'Cat', id: 'c1', lives: 9 },
        { kind: 'Dog', id: 'd1' },
      ],
    });
    expect(contents.entities).toEqual([
      { typename: 'Cat', id: 'c1' },
      { typename: 'Dog', id: 'd1' },
    ]);
  });

  it('without __typename, records an object under every type its fields fit', () => {
    const contents = read(`{ animals { id name ... on Cat { lives } ... on Dog { breed } } }`, {
      animals: [
        { id: 'c1', name: 'Tom', lives: 9 },
        { id: 'x', name: 'Rex' },
      ],
    });
    expect(contents.entities).toEqual([
      { typename: 'Cat', id: 'c1' },
      { typename: 'Cat', id: 'x' },
      { typename: 'Dog', id: 'x' },
    ]);
  });

  it('reads an object of an interface no object type implements here (an @interfaceObject) as the interface', () => {
    const contents = read(`{ lonely { id note } }`, { lonely: { id: 'l1', note: 'x' } });
    expect(contents.refusal).toBeUndefined();
    expect(contents.entities).toEqual([{ typename: 'Lonely', id: 'l1' }]);
  });

  it('refuses an answer with null where an entity belongs (an entity fetch that came back empty)', () => {
    const contents = read(`{ containers { book { upc } } }`, { containers: [{ book: { upc: 'b1' } }, { book: null }] });
    expect(contents.refusal).toBe('null entity at Container.book');
  });

  it('accepts null where a plain object or a scalar belongs', () => {
    const contents = read(`{ containers { note { text } book { title } } }`, {
      containers: [{ note: null, book: { title: null } }],
    });
    expect(contents.refusal).toBeUndefined();
  });

  it('refuses introspection, and reads the rest of the answer on', () => {
    const contents = read(`{ __schema { queryType { name } } book(upc: "b1") { id } }`, {
      __schema: { queryType: { name: 'Query' } },
      book: { id: '1' },
    });
    expect(contents.refusal).toBe('introspection');
    expect(contents.entities).toEqual([{ typename: 'Book', id: '1' }]);
  });

  it('follows named fragments', () => {
    const contents = read(`query { book(upc: "b1") { ...Parts } } fragment Parts on Book { id title }`, {
      book: { id: '1', title: 'A' },
    });
    expect(contents.entities).toEqual([{ typename: 'Book', id: '1' }]);
  });
});

describe('the supergraph identity in every cache key', () => {
  it('is the same for the same supergraph, and changes with a route or a field', () => {
    const same = supergraphIdentity(buildSchema(SUPERGRAPH));
    expect(supergraphIdentity(schema)).toBe(same);
    expect(
      supergraphIdentity(buildSchema(SUPERGRAPH.replace('graph: "b", key: "id"', 'graph: "c", key: "id"'))),
    ).not.toBe(same);
    expect(
      supergraphIdentity(buildSchema(SUPERGRAPH.replace('title: String', 'title: String\n    pages: Int'))),
    ).not.toBe(same);
  });
});
