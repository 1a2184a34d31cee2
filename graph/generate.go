package graph

// gqlgen resolves gqlgen.yml's paths from the working directory, so the generator runs from the
// root. graph/gen is gqlgen's generate with a plugin of ours (see there).
//go:generate sh -c "cd .. && go run ./graph/gen"
