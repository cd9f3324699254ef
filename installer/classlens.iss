; Inno Setup script: wraps the one-folder build (installer/build.sh, run on Windows
; with Git Bash or the same pyinstaller command) into ClassLens-Setup.exe.
; Build on Windows with:  iscc installer\classlens.iss
; It cannot be built on the Linux CI; the folder it wraps is the one CI tests.

#define AppVersion "0.1.0"

[Setup]
AppId={{6C2B1F0E-5A8F-4C53-9D35-3E4C1B7A9F21}
AppName=ClassLens
AppVersion={#AppVersion}
AppPublisher=ClassLens
DefaultDirName={autopf}\ClassLens
DefaultGroupName=ClassLens
OutputBaseFilename=ClassLens-Setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64
; Installs for all users of a school PC; data stays in each user's AppData.
PrivilegesRequired=admin

[Files]
Source: "..\build\dist\classlens\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\ClassLens"; Filename: "{app}\classlens.exe"; Parameters: "gui"
Name: "{group}\ClassLens demo school"; Filename: "{app}\classlens.exe"; Parameters: "gui --demo"
Name: "{commondesktop}\ClassLens"; Filename: "{app}\classlens.exe"; Parameters: "gui"

[Run]
; The same self-test CI runs on Linux: demo school, face detection, blur.
Filename: "{app}\classlens.exe"; Parameters: "selftest"; Flags: runhidden waituntilterminated; StatusMsg: "Checking the installation..."
