// The document analysers (PDF through libqpdf, PostScript, PCL, rasters, text) build on the types
// and the analysis client in JobAnalysisCore, which this module re-exports: `import JobAnalysis`
// gives both. The backend imports only JobAnalysisCore, so it never loads libqpdf.
@_exported import JobAnalysisCore
