# Smoke-test an installed or freshly built Agent Assist on Windows (run in PowerShell):
#   powershell -ExecutionPolicy Bypass -File installers\windows\smoke-test.ps1 [-Bundle dist\agent-assist]
param([string]$Bundle = "dist\agent-assist")
$ErrorActionPreference = "Stop"
$data = Join-Path $env:TEMP ("aa-smoke-" + [guid]::NewGuid())
$env:QT_QPA_PLATFORM = "offscreen"
$p = Start-Process -FilePath (Join-Path $Bundle "agent-assist-gui.exe") `
    -ArgumentList "--data-dir", $data, "--smoke" -Wait -PassThru -NoNewWindow `
    -RedirectStandardError (Join-Path $env:TEMP "aa-smoke-stderr.txt")
$err = Get-Content (Join-Path $env:TEMP "aa-smoke-stderr.txt") -Raw
if ($p.ExitCode -ne 0 -or $err) { Write-Error "smoke test failed (exit $($p.ExitCode)): $err" }
Remove-Item -Recurse -Force $data
Write-Output "smoke test passed"
