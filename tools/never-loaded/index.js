// A package replaced by package.json overrides was loaded after all: undo its override (docs/dependencies.md).
throw new Error(
  'never-loaded: a package replaced by an override in package.json was loaded; see docs/dependencies.md, "Never loaded"',
);
