package dev.bpnet.runtime.data;

import static dev.bpnet.runtime.data.IdxReaderTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** CSV files: headers, label columns, and every kind of bad cell with its line and column. */
class CsvTest {

  @TempDir
  Path dir;

  private Path csv(String text) throws IOException {
    return Files.writeString(dir.resolve("d.csv"), text);
  }

  @Test
  void detectsHeaderAndReadsLabelsFromChosenColumn() throws IOException {
    Path f = csv("a,b,class\n0.5,1,2\n-1e-3, 4 ,0\n\n");
    Csv.Table t = Csv.table(f, new Csv.Options(-1, Csv.Header.AUTO));
    assertEquals(List.of("a", "b"), t.names());
    assertEquals(2, t.rows());
    assertArrayEquals(new int[] {2, 0}, t.labels());
    assertArrayEquals(new double[] {0.5, 1, -1e-3, 4}, t.features());
    Dataset d = Csv.read(f, new Csv.Options(2, Csv.Header.AUTO), DataType.FLOAT);
    assertEquals(3, d.classCount());
    assertEquals(1.0, d.labels().getDouble(0, 2));
  }

  @Test
  void numericFirstLineIsDataUnlessDeclaredHeader() throws IOException {
    Path f = csv("1,0.1,0.2\n0,0.3,0.4\n");
    assertEquals(2, Csv.table(f, Csv.Options.DEFAULT).rows());
    Csv.Table t = Csv.table(f, new Csv.Options(0, Csv.Header.YES));
    assertEquals(1, t.rows());
    assertArrayEquals(new int[] {0}, t.labels());
  }

  @Test
  void nonNumericCellGivesLineAndColumn() throws IOException {
    Path f = csv("label,x,y\n1,0.5,0.25\n0,0.1,abc\n");
    DataException e = assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT));
    assertContains(e, f + ":3:7: 'abc' in column 2 (y) is not a number");
    Path g = csv("1,0.5,Infinity\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(g, Csv.Options.DEFAULT)),
        g + ":1:7: 'Infinity' in column 2 is not a finite number");
    Path h = csv("1,,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(h, Csv.Options.DEFAULT)),
        h + ":1:3: empty cell in column 1: every feature needs a number");
  }

  @Test
  void declaredNoHeaderMakesAHeaderLineAnError() throws IOException {
    Path f = csv("label,x\n1,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, new Csv.Options(0, Csv.Header.NO))),
        f + ":1:1: label 'label' in column 0 is not a class index", "if this line is a header, declare it");
  }

  @Test
  void raggedRowSaysFieldCounts() throws IOException {
    Path f = csv("1,2,3\n0,1,2\n1,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT)),
        f + ":3: 2 fields, expected 3 as in line 1");
  }

  @Test
  void labelsMustBeWholeNumbersInRange() throws IOException {
    Path f = csv("1,2\n1.5,3\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT)),
        f + ":2:1: label '1.5' in column 0 is not a class index");
    Path g = csv("1,2\n7,3\n");
    Csv.Table t = Csv.table(g, Csv.Options.DEFAULT);
    assertContains(assertThrows(DataException.class, () -> t.toDataset(5, DataType.FLOAT)),
        g.toString(), "label 7 at index 1 is out of range for 5 classes (expected 0..4)");
  }

  @Test
  void emptyFilesAndBadColumnsAreReported() throws IOException {
    Path f = csv("");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT)), "no data lines (empty file)");
    Path g = csv("a,b\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(g, Csv.Options.DEFAULT)), "no data lines after the header");
    Path h = csv("1,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(h, new Csv.Options(5, Csv.Header.AUTO))),
        h + ":1: label column 5 does not exist: the line has 2 columns");
    assertContains(assertThrows(DataException.class, () -> Csv.table(dir.resolve("none.csv"), Csv.Options.DEFAULT)),
        "none.csv: no such file");
  }

  @Test
  void aHeaderNameChoosesTheColumnOfClassIndices() throws IOException {
    Path f = csv("sepal,species,petal\n0.5,2,1.5\n-3,0,4e2\n");
    Csv.Table t = Csv.table(f, new Csv.Options(Csv.Columns.classes("species"), Csv.Header.AUTO));
    assertEquals(List.of("sepal", "petal"), t.names());
    assertArrayEquals(new int[] {2, 0}, t.labels());
    assertArrayEquals(new double[] {0.5, 1.5, -3, 400}, t.features());
    assertEquals("column 1 (species)", t.labelNames());
  }

  @Test
  void regressionTargetsComeFromTheListedColumnsAsWritten() throws IOException {
    Path f = csv("a,y1,b,y2,y3\n1,0.25,2,-7.5,1e-3\n3,0.125,4,8,-2\n");
    // by names, in the order listed (not the file's)
    Csv.Table t = Csv.table(f, new Csv.Options(Csv.Columns.targets("y3, y1 ,y2"), Csv.Header.AUTO));
    assertTrue(t.regression());
    assertEquals(3, t.targetCount());
    assertEquals(2, t.rows());
    assertArrayEquals(new double[] {1e-3, 0.25, -7.5, -2, 0.125, 8}, t.targets());
    assertArrayEquals(new double[] {1, 2, 3, 4}, t.features());
    assertEquals(List.of("a", "b"), t.names());
    assertEquals("columns 4 (y3), 1 (y1), 3 (y2)", t.labelNames());
    // by numbers and a range, without a header; negative numbers count from the end
    Path g = csv("1,0.5,0.25,2\n3,-1,1e2,4\n");
    Csv.Table u = Csv.table(g, new Csv.Options(Csv.Columns.targets("1..2"), Csv.Header.AUTO));
    assertArrayEquals(new double[] {0.5, 0.25, -1, 100}, u.targets());
    assertArrayEquals(new double[] {1, 2, 3, 4}, u.features());
    Dataset d = Csv.read(g, new Csv.Options(Csv.Columns.targets("-3..-2"), Csv.Header.AUTO), DataType.DOUBLE);
    assertEquals(2, d.classCount());
    assertArrayEquals(new double[] {0.5, 0.25}, d.labels().getRow(0).toDoubleVector());
    assertArrayEquals(new double[] {-1, 100}, d.labels().getRow(1).toDoubleVector());
    assertArrayEquals(new double[] {3, 4}, d.features().getRow(1).toDoubleVector());
  }

  @Test
  void anUnknownNameIsReportedWithTheHeaderAndTheClosest() throws IOException {
    Path f = csv("sepal,species,petal\n0.5,2,1.5\n");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(f, new Csv.Options(Csv.Columns.classes("specis"), Csv.Header.AUTO))),
        f + ":1: label_column = \"specis\": no column 'specis' in the header (its columns: sepal, species, petal); "
            + "did you mean 'species'?");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(f, new Csv.Options(Csv.Columns.targets("petal, sepl"), Csv.Header.AUTO))),
        "label_columns = \"petal, sepl\": no column 'sepl'", "did you mean 'sepal'?");
    Path g = csv("1,2,3\n");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(g, new Csv.Options(Csv.Columns.classes("species"), Csv.Header.AUTO))),
        g + ":1: label_column = \"species\" names a column, and the file has no header line");
  }

  @Test
  void badTargetListsAreExplained() throws IOException {
    Path f = csv("1,2,3,4\n");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(f, new Csv.Options(Csv.Columns.targets("3..1"), Csv.Header.AUTO))),
        f + ":1: label_columns = \"3..1\": the range 3..1 runs backwards");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(f, new Csv.Options(Csv.Columns.targets("0..3"), Csv.Header.AUTO))),
        "label_columns = \"0..3\" chooses 4 of the 4 columns: no column is left for the features");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(f, new Csv.Options(Csv.Columns.targets("1, -3"), Csv.Header.AUTO))),
        "chooses a column twice: columns [1, 1]");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(f, new Csv.Options(Csv.Columns.targets("2..9"), Csv.Header.AUTO))),
        "label column 9 does not exist: the line has 4 columns");
    assertContains(assertThrows(DataException.class, () -> Csv.Columns.targets("1,,2")), "an empty item");
    assertContains(assertThrows(DataException.class, () -> Csv.Columns.targets("1..x")),
        "'1..x' is not a range of column numbers such as 3..5");
    Path g = csv("1,2,x\n");
    assertContains(assertThrows(DataException.class,
            () -> Csv.table(g, new Csv.Options(Csv.Columns.targets("2"), Csv.Header.NO))),
        g + ":1:5: 'x' in column 2 is not a number");
  }

  @Test
  void aTargetCountOtherThanTheLabelsWidthSaysBoth() throws IOException {
    Path f = csv("a,b,c,d\n1,2,3,4\n");
    Csv.Options three = new Csv.Options(Csv.Columns.targets("1..3"), Csv.Header.AUTO);
    DataFiles.Options o = new DataFiles.Options(three, Cifar.Labels100.FINE, 2);
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(f, o, DataType.DOUBLE)),
        f + ": label_columns = \"1..3\" chooses 3 target columns (columns 1 (b), 2 (c), 3 (d)) but the model's "
            + "label is [2]");
    Loaded l = DataFiles.load(f, new DataFiles.Options(three, Cifar.Labels100.FINE, 3), DataType.DOUBLE);
    assertTrue(l.regression());
    assertEquals(f + " (CSV, regression targets in columns 1 (b), 2 (c), 3 (d))", l.description());
    assertArrayEquals(new double[] {2, 3, 4}, l.train().labels().getRow(0).toDoubleVector());
  }

  @Test
  void aLabelInColumnZeroThatIsNoClassIndexSuggestsLabelColumn() throws IOException {
    Path f = csv("sepal,petal,species\n5.1,1.4,0\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT)),
        f + ":2:1: label '5.1' in column 0 (sepal) is not a class index (a whole number from 0); the class indices "
            + "are read from column 0 unless label_column chooses another, as in data = path(\"d.csv\", label_column = -1) "
            + "for the last column or label_column = \"species\"; real-valued regression targets are read with "
            + "label_columns, as in label_columns = \"species\"");
  }
}
