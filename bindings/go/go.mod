module github.com/librelu/librelu/bindings/go

go 1.19
