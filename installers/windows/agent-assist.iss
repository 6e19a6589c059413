; Inno Setup script for Agent Assist (Windows). Build on Windows after the PyInstaller bundle:
;   python installers\build.py --no-package
;   iscc /DAppVersion=0.1.0 installers\windows\agent-assist.iss
; Output: dist\agent-assist-<version>-setup.exe
; Silent install for IT (per machine): agent-assist-<version>-setup.exe /VERYSILENT /ALLUSERS
; Enterprise preset: the installer copies config.toml from beside it, if present, to
; %ProgramData%\AgentAssist\config.toml (see installers\README.md).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B1F3C52-7F4E-4D4B-9A51-3E0A2C1D9F47}
AppName=Agent Assist
AppVersion={#AppVersion}
AppPublisher=Agent Assist contributors
DefaultDirName={autopf}\Agent Assist
DefaultGroupName=Agent Assist
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=agent-assist-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\agent-assist-gui.exe
LicenseFile=..\..\LICENSE

[Files]
Source: "..\..\dist\agent-assist\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion
Source: "{src}\config.toml"; DestDir: "{commonappdata}\AgentAssist"; Flags: external skipifsourcedoesntexist onlyifdoesntexist uninsneveruninstall

[Icons]
Name: "{group}\Agent Assist"; Filename: "{app}\agent-assist-gui.exe"
Name: "{autodesktop}\Agent Assist"; Filename: "{app}\agent-assist-gui.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
; The same smoke test as on Linux: start headless on a throwaway data dir, expect exit 0.
Filename: "{app}\agent-assist.exe"; Parameters: "--version"; Flags: runhidden; StatusMsg: "Checking the installation..."
Filename: "{app}\agent-assist-gui.exe"; Description: "Start Agent Assist"; Flags: nowait postinstall skipifsilent
