<?php
// What composer's vendor/autoload.php does for a user: Guzzle from Debian's php-guzzlehttp-guzzle,
// and a class map over the plivo-php sources whose directory PLIVO_PHP_SRC names (src/Plivo).
require_once '/usr/share/php/GuzzleHttp/autoload.php';

$plivoClasses = [];
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator(getenv('PLIVO_PHP_SRC')));
foreach ($files as $file) {
    if ($file->getExtension() !== 'php') {
        continue;
    }
    $code = file_get_contents($file->getPathname());
    if (!preg_match('/^namespace\s+([^;]+);/m', $code, $namespace)) {
        continue;
    }
    preg_match_all('/^\s*(?:abstract\s+|final\s+)?(?:class|interface|trait)\s+(\w+)/m', $code, $classes);
    foreach ($classes[1] as $class) {
        $plivoClasses[$namespace[1] . '\\' . $class] = $file->getPathname();
    }
}
spl_autoload_register(function ($class) use ($plivoClasses) {
    if (isset($plivoClasses[$class])) {
        require_once $plivoClasses[$class];
    }
});
