# The two commands of the README. Both install what is missing first (scripts/bootstrap.sh).
.PHONY: run test deps demo

deps:
	@bash scripts/bootstrap.sh

run: deps
	@bash scripts/run.sh

test: deps
	@bash scripts/test.sh
