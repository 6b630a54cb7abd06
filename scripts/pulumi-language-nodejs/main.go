// Command pulumi-language-nodejs is a minimal Pulumi language host for Node.js programs.
//
// Why it exists: the Go module proxy reachable from anyvpc's build machines refuses the upstream
// host module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers 403 for
// every version), while the CLI's own modules (pkg/v3, sdk/v3) are served. This host implements the
// LanguageRuntime gRPC service from sdk/v3's generated stubs and runs programs through the Node SDK's
// own harness (`@pulumi/pulumi/cmd/run`), so the engine, the CLI and the Node SDK stay upstream's.
//
// Supported: Run (with the runtime options `nodeargs`, `typescript` and `tsconfig`),
// GetRequiredPackages/GetRequiredPlugins (resource plugins declared by packages in node_modules),
// GetPluginInfo, GetProgramDependencies, About, Handshake, Cancel. Everything else answers
// Unimplemented, which the engine tolerates for hosts that predate those calls.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "3.248.0"

// exitCodeAfterUserMessage is the Node harness's exit code for "the program failed and has already
// logged an actionable message" (cmd/run: nodeJSProcessExitedAfterLoggingUserActionableMessage).
const exitCodeAfterUserMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	// The engine may pass flags that older and newer hosts know about; accept and ignore them.
	flags.String("tracing", "", "tracing endpoint (ignored)")
	flags.String("root", "", "project root (ignored; the Run request carries it)")
	flags.Bool("typescript", true, "ignored; read from the runtime options")
	flags.String("tsconfig", "", "ignored; read from the runtime options")
	flags.String("nodeargs", "", "ignored; read from the runtime options")
	flags.String("packagemanager", "", "ignored")
	// With --logflow the engine passes its logging flags on to every plugin, as to upstream's host.
	logToStderr := flags.Bool("logtostderr", false, "log to stderr instead of to files")
	verbose := flags.Int("v", 0, "log verbosity")
	logFlow := flags.Bool("logflow", false, "pass the logging flags on to child processes")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	logging.InitLogging(*logToStderr, *verbose, *logFlow)
	h := &host{}
	if args := flags.Args(); len(args) > 0 {
		h.engineAddress = args[len(args)-1] // the engine's address is always the last positional arg
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start language host: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port) // the engine reads the port from our first line of stdout
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host stopped: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// runtimeOptions reads the `runtime.options` block of Pulumi.yaml as the engine forwards it.
type runtimeOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func readOptions(s *structpb.Struct) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	if s == nil {
		return opts
	}
	m := s.AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeargs = strings.Fields(v)
	}
	return opts
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := req.GetPwd()
	if programDir == "" && info != nil {
		programDir = info.GetProgramDirectory()
	}
	opts := readOptions(info.GetOptions())

	harness, err := resolveFrom(programDir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, harness,
		"--monitor="+req.GetMonitorAddress(),
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+programDir,
	)
	if h.engineAddress != "" {
		args = append(args, "--engine="+h.engineAddress)
	}
	if req.GetOrganization() != "" {
		args = append(args, "--organization="+req.GetOrganization())
	}
	if info != nil && info.GetRootDirectory() != "" {
		args = append(args, "--root-directory="+info.GetRootDirectory())
	}
	if req.GetParallel() > 0 {
		args = append(args, "--parallel="+strconv.Itoa(int(req.GetParallel())))
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(nonNil(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = programDir
	cmd.Stdout = os.Stdout // the engine relays our stdout/stderr as the program's output
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript),
	)
	if opts.tsconfig != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() == exitCodeAfterUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// resolveFrom asks node itself to resolve a module from dir, so lookup follows Node's own rules.
func resolveFrom(dir, module string) (string, error) {
	cmd := exec.Command("node", "-e", "process.stdout.write(require.resolve(process.argv[1], {paths: [process.argv[2]]}))", module, dir)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s: is @pulumi/pulumi installed (npm ci)? %v", module, dir, err)
	}
	return string(out), nil
}

type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
	Pulumi       *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// pluginPackages lists the resource plugins declared (`"pulumi": {"resource": true}`) by packages
// installed in the node_modules folders that the program directory can see.
func pluginPackages(programDir string) []*pulumirpc.PackageDependency {
	seen := map[string]*pulumirpc.PackageDependency{}
	for dir := programDir; ; dir = filepath.Dir(dir) {
		modules := filepath.Join(dir, "node_modules")
		entries, _ := os.ReadDir(modules)
		for _, e := range entries {
			pkgDirs := []string{filepath.Join(modules, e.Name())}
			if strings.HasPrefix(e.Name(), "@") {
				scoped, _ := os.ReadDir(pkgDirs[0])
				pkgDirs = pkgDirs[:0]
				for _, s := range scoped {
					pkgDirs = append(pkgDirs, filepath.Join(modules, e.Name(), s.Name()))
				}
			}
			for _, p := range pkgDirs {
				dep := pluginOf(p)
				if dep != nil && seen[dep.Name] == nil {
					seen[dep.Name] = dep
				}
			}
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	deps := make([]*pulumirpc.PackageDependency, 0, len(names))
	for _, n := range names {
		deps = append(deps, seen[n])
	}
	return deps
}

func pluginOf(pkgDir string) *pulumirpc.PackageDependency {
	raw, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err != nil {
		return nil
	}
	var pkg packageJSON
	if json.Unmarshal(raw, &pkg) != nil || pkg.Pulumi == nil || !pkg.Pulumi.Resource {
		return nil
	}
	name := pkg.Pulumi.Name
	if name == "" {
		name = strings.TrimPrefix(pkg.Name, "@pulumi/")
	}
	ver := pkg.Pulumi.Version
	if ver == "" {
		ver = pkg.Version
	}
	return &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: "v" + strings.TrimPrefix(ver, "v"), Server: pkg.Pulumi.Server}
}

func (h *host) GetRequiredPackages(_ context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pluginPackages(req.GetInfo().GetProgramDirectory())}, nil
}

func (h *host) GetRequiredPlugins(_ context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	var plugins []*pulumirpc.PluginDependency
	for _, p := range pluginPackages(req.GetInfo().GetProgramDirectory()) {
		plugins = append(plugins, &pulumirpc.PluginDependency{Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *host) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	var pkg packageJSON
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, fmt.Errorf("reading %s/package.json: %w", dir, err)
	}
	var deps []*pulumirpc.DependencyInfo
	for name, want := range pkg.Dependencies {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: want})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: "node", Version: strings.TrimSpace(strings.TrimPrefix(string(out), "v"))}, nil
}
