/**
 * What the IDE opens on for someone new, in place of GraphiQL's generic
 * welcome: a product page read from all three stores in one request, and in a
 * second tab a subscription. Both are answered anonymously; the first says where
 * a token goes. Valid against the public schema (test/ide-first-screen.test.ts).
 */

/** The first tab: one product page from PostgreSQL, MongoDB and S3 (cheap: the gateway CPU test sends it too). */
export const IDE_DEFAULT_QUERY = `# Polystore: one GraphQL API over PostgreSQL, MongoDB and S3.
# A product page from all three stores in one request: run it with ▶ or Ctrl-Enter.
# Reading needs no token. To place orders or edit the catalogue, put
# {"Authorization": "Bearer <token>"} in the Headers tab below (npm start prints tokens).
# The second tab subscribes to stock changes.
query ProductPage {
  products(first: 2) {
    edges {
      node {
        # PostgreSQL
        name
        price { amount currency }
        stock
        # MongoDB
        details { description }
        reviews(first: 2) { edges { node { rating title } } }
        # S3
        images { url }
      }
    }
  }
}
`;

/** The second tab: stock as it changes, each event completed with fields another store owns. */
export const IDE_SUBSCRIPTION_EXAMPLE = `# Stock changes of every product, as they happen. Run this, then place an order
# or restock a product from another tab (with a token in its Headers tab).
# The event comes from PostgreSQL; the rating is read from MongoDB as it arrives.
subscription StockChanges {
  inventoryChanged {
    name
    stock
    rating { average count }
  }
}
`;

/** A tab opened with "+": a line, not GraphiQL's welcome. */
const NEW_TAB_QUERY = '# Ctrl-Space suggests fields, Ctrl-Enter runs. The Docs panel lists everything.\n';

/**
 * The IDE page's options for its first screen. `query` is what opens (the
 * page falls back to GraphiQL's welcome without it); the tabs apply to a
 * browser with no saved ones.
 */
export const IDE_FIRST_SCREEN = {
  query: IDE_DEFAULT_QUERY,
  defaultQuery: NEW_TAB_QUERY,
  defaultTabs: [{ query: IDE_DEFAULT_QUERY }, { query: IDE_SUBSCRIPTION_EXAMPLE }],
};
