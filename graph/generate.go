package graph

// gqlgen resolves gqlgen.yml's paths from the working directory, so it runs from the root.
//go:generate sh -c "cd .. && go run github.com/99designs/gqlgen generate --config gqlgen.yml"
