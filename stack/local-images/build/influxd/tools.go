//go:build tools

// Package influxdbbuild only pins, for stack/local-images/build/steps/influxd.sh, the upstream InfluxDB 2
// module and the pkg-config wrapper its build uses. Nothing here is compiled into anything:
// the step runs `go build github.com/influxdata/influxdb/v2/cmd/influxd` inside this module.
package influxdbbuild

import (
	_ "github.com/influxdata/influxdb/v2/cmd/influxd"
	_ "github.com/influxdata/pkg-config"
)
